#include "engine/backup/backup_phases.hpp"
#include "engine/version.hpp"
#include "pgwire/conninfo.hpp"

namespace crm::engine::backup_phase {

Manifest build_manifest(const BackupOptions& o, const std::string& prefix, const std::string& started_at,
                        const std::string& source_identity, const DatabaseParts& db,
                        const BackupAttachmentsResult& att, const PreviousSetReuse* reuse) {
  const DataDumpResult& data = db.data;
  Manifest m;
  m.tool_version = tool_version();
  m.prefix = prefix;
  m.server_version = data.server_version;
  m.database = pg::redact_target(o.db.target);
  m.snapshot_time = data.snapshot_time;
  m.started_at = started_at;
  m.options = {{"jobs", std::to_string(o.jobs)},
               {"compress", o.zstd_level ? "zstd:" + std::to_string(*o.zstd_level) : "none"},
               {"attachments", o.attachments ? "true" : "false"},
               {"managed_schema_objects", o.managed_schema_objects ? "true" : "false"},
               {"retention_days", std::to_string(o.retention_days)},
               {"source_identity", source_identity}};
  if (o.attachments) {
    m.options["bucket"] = o.storage.bucket;
    m.options["transfers"] = std::to_string(o.storage.transfers);
  }
  for (const auto& f : db.files) m.files.push_back({prefix + "-" + f.part, f.role, f.size, f.xxh3_128});
  for (const auto& t : data.tables) m.tables.push_back({t.schema, t.name, t.rows, t.bytes, t.xxh3_128});
  for (const auto& s : data.sequences)
    m.sequences.push_back({s.schema, s.name, std::stoll(s.last_value), s.is_called});
  m.applied_migrations = data.applied_migrations;
  for (const auto& v : data.matviews)
    m.matviews.push_back({v.schema, v.name, v.populated, v.content.rows, v.content.xxh3_128_sum});
  m.warnings = db.warnings;
  m.attachments_included = o.attachments;
  m.bucket = o.attachments ? o.storage.bucket : "";
  for (const auto& ob : att.objects) {
    // "stored": unchanged and already in the (remote) repository, neither downloaded nor sent.
    std::string source = reuse ? reuse->source_of(ob.path) : ob.downloaded ? "downloaded" : "stored";
    m.objects.push_back({ob.path, ob.size, ob.xxh3_128, ob.content_type, ob.cache_control, ob.etag, ob.last_modified,
                         source, reuse && source != "downloaded" ? reuse->from_prefix() : ""});
  }
  m.finished_at = now_iso();
  return m;
}

}  // namespace crm::engine::backup_phase
