// The list-v2 page parser on arbitrary bytes: a page or a StorageError, nothing else (no
// crash, no other exception, no sanitizer report). A page that parses re-serialises through
// append_json_string (the client's own JSON writer) and parses back to the same names.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage-api/errors.hpp"
#include "common/json_string.hpp"
#include "storage-api/listing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  crm::storage::ListV2Page p;
  try {
    p = crm::storage::parse_list_v2(in);
  } catch (const crm::storage::StorageError&) {
    return 0;
  }
  if (p.has_next && p.next_cursor.empty()) __builtin_trap();
  std::string again = "{\"hasNext\":false,\"objects\":[";
  for (size_t i = 0; i < p.objects.size(); ++i) {
    if (i) again += ",";
    again += "{\"name\":";
    crm::append_json_string(again, p.objects[i].name);
    again += ",\"metadata\":{\"size\":" + std::to_string(p.objects[i].size) + "}}";
  }
  again += "]}";
  crm::storage::ListV2Page q = crm::storage::parse_list_v2(again);  // must not throw
  if (q.objects.size() != p.objects.size()) __builtin_trap();
  for (size_t i = 0; i < p.objects.size(); ++i)
    if (q.objects[i].name != p.objects[i].name || q.objects[i].size != p.objects[i].size) __builtin_trap();
  return 0;
}
