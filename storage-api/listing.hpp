#pragma once
// Storage listings: request bodies and the parsing of list-v2 pages and v1 folder levels.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crm::storage {

struct ObjectEntry {
  std::string name;  // full key in the bucket
  std::uint64_t size = 0;
  std::string etag;  // as the server sends it (quoted md5)
  std::string content_type;
  std::string cache_control;
  std::string last_modified;  // ISO 8601
  std::string id;
};

struct ListV2Page {
  std::vector<ObjectEntry> objects;
  std::vector<std::string> folders;
  bool has_next = false;
  std::string next_cursor;
};

// One v1 entry: names are relative to the listed prefix; a folder has "id": null.
struct V1Entry {
  bool is_folder = false;
  ObjectEntry object;  // name relative to the prefix
};

// Throw StorageError (kProtocol) naming what was malformed.
ListV2Page parse_list_v2(std::string_view json);
std::vector<V1Entry> parse_list_v1(std::string_view json);

std::string list_v2_body(std::string_view prefix, std::string_view cursor, int limit);
std::string list_v1_body(std::string_view prefix, int limit, std::int64_t offset);
// {"prefixes": [...]} for a batch delete.
std::string delete_many_body(const std::vector<std::string>& names, std::size_t begin, std::size_t end);

}  // namespace crm::storage
