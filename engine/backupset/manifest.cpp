#include "engine/backupset/manifest.hpp"

#include <simdjson.h>

#include "engine/backupset/path_safety.hpp"
#include "engine/format/json_writer.hpp"

namespace crm::engine {

const ManifestFile* Manifest::file_with_role(std::string_view role) const {
  for (const auto& f : files)
    if (f.role == role) return &f;
  return nullptr;
}

std::uint64_t Manifest::attachments_bytes() const {
  std::uint64_t n = 0;
  for (const auto& o : objects) n += o.size;
  return n;
}

std::string manifest_to_json(const Manifest& m) {
  JsonWriter w;
  w.begin_object();
  w.field("format", kManifestFormatName).field("format_version", m.format_version);
  w.field("tool_version", m.tool_version).field("prefix", m.prefix);
  w.field("server_version", m.server_version).field("database", m.database);
  w.field("snapshot_time", m.snapshot_time).field("started_at", m.started_at).field("finished_at", m.finished_at);
  w.key("options").begin_object();
  for (const auto& [k, v] : m.options) w.field(k, v);
  w.end_object();
  w.key("files").begin_array();
  for (const auto& f : m.files)
    w.begin_object().field("name", f.name).field("role", f.role).field("size", f.size).field("xxh3_128", f.xxh3_128).end_object();
  w.end_array();
  w.key("tables").begin_array();
  for (const auto& t : m.tables)
    w.begin_object().field("schema", t.schema).field("name", t.name).field("rows", t.rows).field("bytes", t.bytes)
        .field("xxh3_128", t.xxh3_128).end_object();
  w.end_array();
  w.key("sequences").begin_array();
  for (const auto& s : m.sequences)
    w.begin_object().field("schema", s.schema).field("name", s.name).field("value", s.value)
        .field("is_called", s.is_called).end_object();
  w.end_array();
  w.key("applied_migrations").begin_array();
  for (const auto& v : m.applied_migrations) w.value(v);
  w.end_array();
  w.key("warnings").begin_array();
  for (const auto& v : m.warnings) w.value(v);
  w.end_array();
  w.key("matviews").begin_array();
  for (const auto& v : m.matviews)
    w.begin_object().field("schema", v.schema).field("name", v.name).field("populated", v.populated)
        .field("rows", v.rows).field("rows_xxh3_128_sum", v.rows_xxh3_128_sum).end_object();
  w.end_array();
  w.key("attachments").begin_object();
  w.field("included", m.attachments_included).field("bucket", m.bucket);
  w.field("count", static_cast<std::uint64_t>(m.objects.size())).field("bytes", m.attachments_bytes());
  w.key("objects").begin_array();
  for (const auto& o : m.objects) {
    w.begin_object().field("path", o.path).field("size", o.size).field("xxh3_128", o.xxh3_128)
        .field("content_type", o.content_type).field("cache_control", o.cache_control).field("etag", o.etag)
        .field("last_modified", o.last_modified).field("source", o.source);
    if (!o.from_set.empty()) w.field("from_set", o.from_set);
    if (!o.blob.empty()) w.field("blob", o.blob);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  return w.str() + "\n";
}

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

struct Reader {
  const std::string& source;

  [[noreturn]] void fail(const std::string& what) const {
    throw ManifestError("manifest " + source + " is malformed: " + what +
                        " (the set cannot be trusted; re-run the backup or use --force to ignore the manifest)");
  }
  element get(const object& o, const char* key, const std::string& where) const {
    element e;
    if (o.at_key(key).get(e)) fail("missing \"" + std::string(key) + "\" in " + where);
    return e;
  }
  std::string str(const object& o, const char* key, const std::string& where, bool optional = false) const {
    element e;
    if (o.at_key(key).get(e)) {
      if (optional) return {};
      fail("missing \"" + std::string(key) + "\" in " + where);
    }
    std::string_view v;
    if (e.get(v)) fail("\"" + std::string(key) + "\" in " + where + " is not a string");
    return std::string(v);
  }
  std::uint64_t u64(const object& o, const char* key, const std::string& where) const {
    std::uint64_t v;
    if (get(o, key, where).get(v)) fail("\"" + std::string(key) + "\" in " + where + " is not a non-negative integer");
    return v;
  }
  std::int64_t i64(const object& o, const char* key, const std::string& where) const {
    std::int64_t v;
    if (get(o, key, where).get(v)) fail("\"" + std::string(key) + "\" in " + where + " is not an integer");
    return v;
  }
  bool boolean(const object& o, const char* key, const std::string& where) const {
    bool v;
    if (get(o, key, where).get(v)) fail("\"" + std::string(key) + "\" in " + where + " is not a boolean");
    return v;
  }
  simdjson::dom::array arr(const object& o, const char* key, const std::string& where) const {
    simdjson::dom::array a;
    if (get(o, key, where).get(a)) fail("\"" + std::string(key) + "\" in " + where + " is not an array");
    return a;
  }
  object obj(element e, const std::string& where) const {
    object o;
    if (e.get(o)) fail(where + " is not an object");
    return o;
  }
};

}  // namespace

Manifest parse_manifest(std::string_view json, const std::string& source) {
  Reader r{source};
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element root;
  if (auto err = parser.parse(padded).get(root)) r.fail(std::string("not valid JSON (") + simdjson::error_message(err) + ")");
  object top = r.obj(root, "the top level");
  Manifest m;
  if (r.str(top, "format", "the top level") != kManifestFormatName) r.fail("\"format\" is not " + std::string(kManifestFormatName));
  m.format_version = static_cast<int>(r.i64(top, "format_version", "the top level"));
  if (m.format_version != kManifestFormatVersion)
    throw ManifestError("manifest " + source + " has format version " + std::to_string(m.format_version) +
                        ", this tool reads version " + std::to_string(kManifestFormatVersion) +
                        ": use the crmbackup-native release that wrote it");
  m.tool_version = r.str(top, "tool_version", "the top level");
  m.prefix = r.str(top, "prefix", "the top level");
  m.server_version = r.str(top, "server_version", "the top level");
  m.database = r.str(top, "database", "the top level");
  m.snapshot_time = r.str(top, "snapshot_time", "the top level");
  m.started_at = r.str(top, "started_at", "the top level");
  m.finished_at = r.str(top, "finished_at", "the top level");
  object opts = r.obj(r.get(top, "options", "the top level"), "\"options\"");
  for (auto [k, v] : opts) {
    std::string_view s;
    if (v.get(s)) r.fail("option \"" + std::string(k) + "\" is not a string");
    m.options[std::string(k)] = std::string(s);
  }
  size_t i = 0;
  for (element e : r.arr(top, "files", "the top level")) {
    std::string where = "files[" + std::to_string(i++) + "]";
    object o = r.obj(e, where);
    m.files.push_back({r.str(o, "name", where), r.str(o, "role", where), r.u64(o, "size", where), r.str(o, "xxh3_128", where)});
    const auto& f = m.files.back();
    if (f.name.find('/') != std::string::npos || f.name.rfind(m.prefix + "-", 0) != 0)
      r.fail(where + " names a file outside the set: " + f.name);
  }
  i = 0;
  for (element e : r.arr(top, "tables", "the top level")) {
    std::string where = "tables[" + std::to_string(i++) + "]";
    object o = r.obj(e, where);
    m.tables.push_back({r.str(o, "schema", where), r.str(o, "name", where), r.u64(o, "rows", where),
                        r.u64(o, "bytes", where), r.str(o, "xxh3_128", where)});
  }
  i = 0;
  for (element e : r.arr(top, "sequences", "the top level")) {
    std::string where = "sequences[" + std::to_string(i++) + "]";
    object o = r.obj(e, where);
    m.sequences.push_back({r.str(o, "schema", where), r.str(o, "name", where), r.i64(o, "value", where),
                           r.boolean(o, "is_called", where)});
  }
  for (element e : r.arr(top, "applied_migrations", "the top level")) {
    std::string_view v;
    if (e.get(v)) r.fail("applied_migrations holds a non-string");
    m.applied_migrations.emplace_back(v);
  }
  // Absent in manifests written before warnings were recorded: same format, nothing left out.
  if (element we; !top.at_key("warnings").get(we)) {
    simdjson::dom::array wa;
    if (we.get(wa)) r.fail("\"warnings\" in the top level is not an array");
    for (element e : wa) {
      std::string_view v;
      if (e.get(v)) r.fail("warnings holds a non-string");
      m.warnings.emplace_back(v);
    }
  }
  // Absent in manifests written before materialized views were recorded.
  if (element me; !top.at_key("matviews").get(me)) {
    simdjson::dom::array ma;
    if (me.get(ma)) r.fail("\"matviews\" in the top level is not an array");
    i = 0;
    for (element e : ma) {
      std::string where = "matviews[" + std::to_string(i++) + "]";
      object o = r.obj(e, where);
      m.matviews.push_back({r.str(o, "schema", where), r.str(o, "name", where), r.boolean(o, "populated", where),
                            r.u64(o, "rows", where), r.str(o, "rows_xxh3_128_sum", where)});
    }
  }
  object att = r.obj(r.get(top, "attachments", "the top level"), "\"attachments\"");
  m.attachments_included = r.boolean(att, "included", "attachments");
  m.bucket = r.str(att, "bucket", "attachments");
  i = 0;
  for (element e : r.arr(att, "objects", "attachments")) {
    std::string where = "attachments.objects[" + std::to_string(i++) + "]";
    object o = r.obj(e, where);
    ManifestObject mo;
    mo.path = r.str(o, "path", where);
    // verify hashes <set>-attachments/<path> and restore uploads it: a path that leaves the
    // folder ("../", absolute) would read files outside the set.
    if (auto why = unsafe_name_reason(mo.path))
      r.fail(where + " has a path that cannot be inside the set (" + *why + "): " + printable_name(mo.path));
    mo.size = r.u64(o, "size", where);
    mo.xxh3_128 = r.str(o, "xxh3_128", where);
    mo.content_type = r.str(o, "content_type", where);
    mo.cache_control = r.str(o, "cache_control", where);
    mo.etag = r.str(o, "etag", where, true);
    mo.last_modified = r.str(o, "last_modified", where, true);
    mo.source = r.str(o, "source", where, true);
    mo.from_set = r.str(o, "from_set", where, true);
    mo.blob = r.str(o, "blob", where, true);
    // It becomes part of an object key: hex digits only, so it cannot name anything else.
    if (!mo.blob.empty() && (mo.blob.size() != 64 || mo.blob.find_first_not_of("0123456789abcdef") != std::string::npos))
      r.fail(where + " has a blob name that is not 64 lower-case hex digits");
    m.objects.push_back(std::move(mo));
  }
  std::uint64_t count = r.u64(att, "count", "attachments");
  if (count != m.objects.size()) r.fail("attachments.count says " + std::to_string(count) + " but lists " + std::to_string(m.objects.size()));
  return m;
}

}  // namespace crm::engine
