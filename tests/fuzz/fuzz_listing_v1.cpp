// The v1 folder-level parser on arbitrary bytes: entries or a StorageError, nothing else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage-api/errors.hpp"
#include "common/json_string.hpp"
#include "storage-api/listing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    auto entries = crm::storage::parse_list_v1(in);
    std::string out;
    for (const auto& e : entries) {
      if (e.is_folder && e.object.name.empty()) __builtin_trap();  // a folder always has a name
      crm::append_json_string(out, e.object.name);
    }
  } catch (const crm::storage::StorageError&) {
  }
  return 0;
}
