#include "storage-api/listing.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include "storage-api/errors.hpp"
#include "common/json_string.hpp"

namespace crm::storage {
namespace {

[[noreturn]] void malformed(std::string_view what) {
  throw StorageError(ErrorKind::kProtocol, "storage listing is malformed: " + std::string(what));
}

std::string text_field(simdjson::dom::element obj, const char* key) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS) return {};
  std::string_view sv;
  if (v.get(sv) == simdjson::SUCCESS) return std::string(sv);
  return {};
}

ObjectEntry parse_object(simdjson::dom::element el) {
  ObjectEntry e;
  std::string_view name;
  if (el["name"].get(name) != simdjson::SUCCESS) malformed("an entry has no string \"name\"");
  e.name = std::string(name);
  e.id = text_field(el, "id");
  simdjson::dom::element meta;
  if (el["metadata"].get(meta) == simdjson::SUCCESS && meta.is_object()) {
    simdjson::dom::element size;
    if (meta["size"].get(size) == simdjson::SUCCESS) {
      std::uint64_t u;
      std::int64_t i;
      double d;
      if (size.get(u) == simdjson::SUCCESS) e.size = u;
      else if (size.get(i) == simdjson::SUCCESS && i >= 0) e.size = static_cast<std::uint64_t>(i);
      // Bounded before the cast: a double beyond 2^64 converted to an integer is undefined.
      else if (size.get(d) == simdjson::SUCCESS && d >= 0 && d < 18446744073709551616.0) e.size = static_cast<std::uint64_t>(d);
      else malformed("\"" + e.name + "\" has a size that is not a non-negative number");
    }
    e.etag = text_field(meta, "eTag");
    e.content_type = text_field(meta, "mimetype");
    e.cache_control = text_field(meta, "cacheControl");
    e.last_modified = text_field(meta, "lastModified");
  }
  if (e.last_modified.empty()) e.last_modified = text_field(el, "updated_at");
  return e;
}

simdjson::dom::element parse_doc(simdjson::dom::parser& parser, simdjson::padded_string& padded) {
  simdjson::dom::element doc;
  auto err = parser.parse(padded).get(doc);
  if (err) malformed(std::string("not JSON (") + simdjson::error_message(err) + ")");
  return doc;
}

}  // namespace

ListV2Page parse_list_v2(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc = parse_doc(parser, padded);
  if (!doc.is_object()) malformed("list-v2 answer is not an object");
  ListV2Page page;
  bool has_next = false;
  if (doc["hasNext"].get(has_next) == simdjson::SUCCESS) page.has_next = has_next;
  page.next_cursor = text_field(doc, "nextCursor");
  if (page.has_next && page.next_cursor.empty()) malformed("hasNext is true but nextCursor is missing");
  simdjson::dom::array objects, folders;
  if (doc["objects"].get(objects) == simdjson::SUCCESS) {
    for (auto el : objects) page.objects.push_back(parse_object(el));
  } else if (doc["objects"].error() != simdjson::NO_SUCH_FIELD) {
    malformed("\"objects\" is not an array");
  }
  if (doc["folders"].get(folders) == simdjson::SUCCESS) {
    for (auto el : folders) {
      std::string n = el.is_object() ? text_field(el, "name") : std::string();
      std::string_view sv;
      if (n.empty() && el.get(sv) == simdjson::SUCCESS) n = std::string(sv);
      page.folders.push_back(n);
    }
  }
  return page;
}

std::vector<V1Entry> parse_list_v1(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc = parse_doc(parser, padded);
  simdjson::dom::array arr;
  if (doc.get(arr) != simdjson::SUCCESS) malformed("v1 list answer is not an array");
  std::vector<V1Entry> out;
  for (auto el : arr) {
    if (!el.is_object()) malformed("a v1 entry is not an object");
    V1Entry e;
    simdjson::dom::element id;
    e.is_folder = el["id"].get(id) != simdjson::SUCCESS || id.is_null();
    e.object = parse_object(el);
    // The client descends into prefix + "/" + name: an empty folder name would make it list
    // "a/", "a//", ... without end.
    if (e.is_folder && e.object.name.empty()) malformed("a v1 folder entry has an empty name");
    out.push_back(std::move(e));
  }
  return out;
}

std::string list_v2_body(std::string_view prefix, std::string_view cursor, int limit) {
  std::string out = "{\"prefix\":";
  append_json_string(out, prefix);
  out += fmt::format(",\"limit\":{},\"with_delimiter\":false", limit);
  if (!cursor.empty()) {
    out += ",\"cursor\":";
    append_json_string(out, cursor);
  }
  out += ",\"sortBy\":{\"column\":\"name\",\"order\":\"asc\"}}";
  return out;
}

std::string list_v1_body(std::string_view prefix, int limit, std::int64_t offset) {
  std::string out = "{\"prefix\":";
  append_json_string(out, prefix);
  out += fmt::format(",\"limit\":{},\"offset\":{},\"sortBy\":{{\"column\":\"name\",\"order\":\"asc\"}}}}", limit, offset);
  return out;
}

std::string delete_many_body(const std::vector<std::string>& names, std::size_t begin, std::size_t end) {
  std::string out = "{\"prefixes\":[";
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out.push_back(',');
    append_json_string(out, names[i]);
  }
  out += "]}";
  return out;
}

}  // namespace crm::storage
