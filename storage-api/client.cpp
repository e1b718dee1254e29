#include "storage-api/client.hpp"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "storage-api/errors.hpp"
#include "common/json_string.hpp"
#include "storage-api/url.hpp"

namespace crm::storage {
namespace {

constexpr int kV2PageSize = 1000;
// Older servers never return more than 100 per v1 page, whatever is asked.
constexpr int kV1PageSize = 100;

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

StorageClient::StorageClient(StorageConfig cfg) : session_(cfg) { warn_if_insecure(cfg); }

std::string object_url(const StorageConfig& cfg, std::string_view route, const std::string& name) {
  return join_url(cfg.base_url, fmt::format("/object/{}{}/{}", route.empty() ? "" : std::string(route) + "/",
                                            percent_encode_segment(cfg.bucket), encode_object_path(name)));
}

std::string StorageClient::object_url(std::string_view route, const std::string& name) const {
  return storage::object_url(config(), route, name);
}

void StorageClient::fail(std::string_view context, const HttpResponse& r) const {
  StorageError e = error_from_api(context, parse_error_body(r.status, r.body), config().service_key);
  if (r.gave_up.empty()) throw e;
  throw StorageError(e.kind(), e.what() + r.gave_up, e.api());
}

bool StorageClient::bucket_exists() {
  std::string url = join_url(config().base_url, "/bucket/" + percent_encode_segment(config().bucket));
  HttpResponse r = session_.call("GET", url, nullptr, "checking bucket '" + config().bucket + "'");
  if (r.ok()) return true;
  ApiError e = parse_error_body(r.status, r.body);
  if (!is_key_rejected(e) && is_not_found(e)) return false;
  fail("checking bucket '" + config().bucket + "'", r);
}

void StorageClient::create_bucket(bool is_public) {
  std::string body = "{\"name\":";
  append_json_string(body, config().bucket);
  body += ",\"id\":";
  append_json_string(body, config().bucket);
  body += is_public ? ",\"public\":true}" : ",\"public\":false}";
  HttpResponse r = session_.call("POST", join_url(config().base_url, "/bucket"), &body,
                                 "creating bucket '" + config().bucket + "'");
  if (!r.ok()) fail("creating bucket '" + config().bucket + "'", r);
}

std::vector<ObjectEntry> StorageClient::list_v2(const std::string& prefix, bool& unsupported) {
  std::string url = join_url(config().base_url, "/object/list-v2/" + percent_encode_segment(config().bucket));
  std::vector<ObjectEntry> out;
  std::string cursor;
  for (int page = 0;; ++page) {
    std::string body = list_v2_body(prefix, cursor, kV2PageSize);
    HttpResponse r = session_.call("POST", url, &body, "listing bucket '" + config().bucket + "'");
    if (!r.ok()) {
      ApiError e = parse_error_body(r.status, r.body);
      if (page == 0 && !is_key_rejected(e) && is_feature_missing(e)) {
        unsupported = true;
        return {};
      }
      fail("listing bucket '" + config().bucket + "'", r);
    }
    ListV2Page p = parse_list_v2(r.body);
    for (auto& o : p.objects) out.push_back(std::move(o));
    if (!p.has_next) break;
    if (p.next_cursor == cursor)
      throw StorageError(ErrorKind::kProtocol, "storage listing did not advance (the same cursor came back twice)");
    cursor = p.next_cursor;
  }
  return out;
}

std::vector<ObjectEntry> StorageClient::list_v1(const std::string& root_prefix) {
  std::string url = join_url(config().base_url, "/object/list/" + percent_encode_segment(config().bucket));
  std::vector<ObjectEntry> out;
  std::vector<std::string> todo{root_prefix};
  std::set<std::string> seen_folders{root_prefix};
  std::map<std::string, std::set<std::string>> folders_by_lower;
  while (!todo.empty()) {
    std::string prefix = todo.back();
    todo.pop_back();
    std::string base = prefix.empty() ? "" : prefix + "/";
    for (std::int64_t offset = 0;; offset += kV1PageSize) {
      std::string body = list_v1_body(prefix, kV1PageSize, offset);
      HttpResponse r = session_.call("POST", url, &body, "listing bucket '" + config().bucket + "'");
      if (!r.ok()) fail(fmt::format("listing folder '{}' of bucket '{}'", prefix, config().bucket), r);
      std::vector<V1Entry> entries = parse_list_v1(r.body);
      for (auto& e : entries) {
        std::string full = base + e.object.name;
        if (e.is_folder) {
          folders_by_lower[lower(full)].insert(full);
          if (seen_folders.insert(full).second) todo.push_back(full);
        } else {
          e.object.name = full;
          out.push_back(std::move(e.object));
        }
      }
      if (entries.size() < static_cast<std::size_t>(kV1PageSize)) break;
    }
  }
  // v1 matches folder names case-insensitively: with "A/x" and "a/y" both folders list both
  // files, so names under case-colliding folders are checked one by one.
  std::vector<std::string> ambiguous;
  for (const auto& [l, variants] : folders_by_lower)
    if (variants.size() > 1) ambiguous.insert(ambiguous.end(), variants.begin(), variants.end());
  std::vector<ObjectEntry> kept;
  std::set<std::string> names;
  for (auto& o : out) {
    if (!names.insert(o.name).second) continue;
    bool suspect = std::any_of(ambiguous.begin(), ambiguous.end(),
                               [&](const std::string& f) { return o.name.starts_with(f + "/"); });
    if (suspect && !object_info(o.name)) continue;
    kept.push_back(std::move(o));
  }
  std::sort(kept.begin(), kept.end(), [](const ObjectEntry& a, const ObjectEntry& b) { return a.name < b.name; });
  return kept;
}

std::vector<ObjectEntry> StorageClient::list_all(const std::string& prefix) {
  bool unsupported = false;
  std::vector<ObjectEntry> out = list_v2(prefix, unsupported);
  if (!unsupported) {
    method_ = ListingMethod::kV2;
    return out;
  }
  method_ = ListingMethod::kV1;
  return list_v1(prefix);
}

std::optional<ObjectEntry> StorageClient::object_info(const std::string& name) {
  std::string url = object_url("info/authenticated", name);
  HttpResponse r = session_.call("GET", url, nullptr, "reading the info of '" + name + "'");
  if (!r.ok()) {
    ApiError e = parse_error_body(r.status, r.body);
    if (!is_key_rejected(e) && e.code == "NoSuchKey") return std::nullopt;
    fail("reading the info of '" + name + "'", r);
  }
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(r.body);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS || !doc.is_object())
    throw StorageError(ErrorKind::kProtocol, "object info of '" + name + "' is not a JSON object");
  ObjectEntry o;
  o.name = name;
  std::string_view sv;
  std::uint64_t size = 0;
  if (doc["size"].get(size) == simdjson::SUCCESS) o.size = size;
  if (doc["content_type"].get(sv) == simdjson::SUCCESS) o.content_type = std::string(sv);
  if (doc["cache_control"].get(sv) == simdjson::SUCCESS) o.cache_control = std::string(sv);
  if (doc["etag"].get(sv) == simdjson::SUCCESS) o.etag = std::string(sv);
  if (doc["last_modified"].get(sv) == simdjson::SUCCESS) o.last_modified = std::string(sv);
  if (doc["id"].get(sv) == simdjson::SUCCESS) o.id = std::string(sv);
  return o;
}

std::vector<std::string> StorageClient::delete_objects(const std::vector<std::string>& names, std::size_t batch) {
  std::vector<std::string> deleted;
  std::string url = join_url(config().base_url, "/object/" + percent_encode_segment(config().bucket));
  batch = std::max<std::size_t>(1, batch);
  for (std::size_t i = 0; i < names.size(); i += batch) {
    std::size_t end = std::min(names.size(), i + batch);
    std::string body = delete_many_body(names, i, end);
    HttpResponse r = session_.call("DELETE", url, &body, "deleting objects");
    if (!r.ok()) fail(fmt::format("deleting {} objects (first: '{}')", end - i, names[i]), r);
    thread_local simdjson::dom::parser parser;
    simdjson::padded_string padded(r.body);
    simdjson::dom::array arr;
    if (parser.parse(padded).get(arr) != simdjson::SUCCESS)
      throw StorageError(ErrorKind::kProtocol, "the answer to a batch delete is not a JSON array");
    for (auto el : arr) {
      std::string_view n;
      if (el["name"].get(n) == simdjson::SUCCESS) deleted.emplace_back(n);
    }
  }
  return deleted;
}

}  // namespace crm::storage
