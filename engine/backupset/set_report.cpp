#include "engine/backupset/set_report.hpp"

#include "engine/backupset/encrypted_set.hpp"
#include "engine/format/human.hpp"

namespace crm::engine {

std::string set_list_line(const SetInfo& s) {
  std::string line = s.name.prefix + " (" + format_gb(s.total_bytes()) + " / " + format_mb(s.total_bytes()) +
                     ", attachments: " + (s.parts.count("attachments") || s.attachment_files ? format_gb(s.attachments_bytes) : "none") +
                     ", " + format_us_datetime(s.local_time()) + ") [" + to_string(s.state);
  if (s.state == SetState::Legacy) line += ": no manifest";
  if (s.state == SetState::Incomplete || s.state == SetState::Damaged) line += ": " + s.state_reason;
  // Incremental sets share attachment files with their neighbours through hard links.
  if (s.unshared_disk_bytes + (1 << 20) < s.total_bytes())
    line += ", " + format_mb(s.unshared_disk_bytes) + " on disk only in this set";
  if (is_encrypted(s)) line += ", encrypted";
  return line + "]";
}

void write_set_json(JsonWriter& w, const SetInfo& s) {
  w.begin_object();
  w.field("prefix", s.name.prefix).field("state", to_string(s.state));
  if (!s.state_reason.empty()) w.field("reason", s.state_reason);
  w.field("time", format_iso8601_utc(s.time));
  w.field("time_source", s.time_from_manifest ? "manifest" : "name");
  if (!s.size_problems.empty()) {
    w.key("size_problems").begin_array();
    for (const auto& p : s.size_problems) w.value(p);
    w.end_array();
  }
  w.field("total_bytes", s.total_bytes()).field("sql_bytes", s.sql_bytes);
  w.field("attachments_bytes", s.attachments_bytes).field("attachment_files", s.attachment_files);
  w.field("unshared_disk_bytes", s.unshared_disk_bytes);
  w.field("has_manifest", s.manifest.has_value()).field("encrypted", is_encrypted(s));
  w.key("parts").begin_array();
  for (const auto& [part, path] : s.parts) w.value(path.filename().string());
  w.end_array();
  w.end_object();
}

void print_retention(std::ostream& out, const std::vector<RetentionDecision>& decisions, bool dry_run,
                     int retention_days) {
  out << "Applying retention (" << retention_days << " days)" << (dry_run ? " [dry run]" : "") << "...\n";
  std::uint64_t freed = 0;
  int removed = 0;
  for (const auto& d : decisions) {
    if (d.remove) {
      ++removed;
      freed += d.frees_bytes;
      out << "  " << (dry_run ? "Would delete " : "Deleted ") << d.prefix << " (" << d.reason << ", "
          << format_mb(d.apparent_bytes) << ", frees " << format_mb(d.frees_bytes) << ")\n";
    } else {
      out << "  Kept " << d.prefix << ": " << d.reason << "\n";
    }
  }
  if (removed == 0) out << "  No backups " << (dry_run ? "would be" : "were") << " deleted.\n";
  else out << "  " << (dry_run ? "Would free " : "Freed ") << format_mb(freed) << " of disk.\n";
}

void write_retention_json(JsonWriter& w, const std::vector<RetentionDecision>& decisions, bool dry_run) {
  w.begin_object().field("dry_run", dry_run).key("decisions").begin_array();
  for (const auto& d : decisions)
    w.begin_object().field("prefix", d.prefix).field("delete", d.remove).field("reason", d.reason)
        .field("apparent_bytes", d.apparent_bytes).field("frees_bytes", d.frees_bytes).end_object();
  w.end_array().end_object();
}

}  // namespace crm::engine
