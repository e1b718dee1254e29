#include "tests/support/storage_server.hpp"

#include <simdjson.h>

namespace crm::testing {
namespace fs = std::filesystem;

std::map<std::string, ServerObject> read_server_bucket(const fs::path& root, const std::string& bucket) {
  std::map<std::string, ServerObject> out;
  simdjson::dom::parser parser;
  for (const fs::path& base : {root / bucket, root / ".unsafe" / bucket}) {
    if (!fs::exists(base)) continue;
    for (const auto& e : fs::recursive_directory_iterator(base)) {
      if (!e.is_regular_file()) continue;
      std::string n = e.path().filename().string();
      if (!n.ends_with(".meta.json")) continue;
      simdjson::dom::element doc = parser.load(e.path().string());
      ServerObject o;
      o.data = e.path().parent_path() / n.substr(0, n.size() - std::string(".meta.json").size());
      o.size = static_cast<std::uint64_t>(doc["size"].get_uint64().value());
      o.content_type = std::string(doc["content_type"].get_string().value());
      o.cache_control = std::string(doc["cache_control"].get_string().value());
      out[std::string(doc["name"].get_string().value())] = o;
    }
  }
  return out;
}

}  // namespace crm::testing
