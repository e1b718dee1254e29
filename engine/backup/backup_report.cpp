#include "engine/backup/backup_phases.hpp"
#include "engine/backupset/set_report.hpp"
#include "engine/format/human.hpp"
#include "engine/format/json_writer.hpp"

namespace crm::engine::backup_phase {

namespace {

const char* part_label(const std::string& role) {
  return role == "roles" ? "Roles" : role == "schema" ? "Schema" : role == "data" ? "Data"
       : role == "migrations" ? "Migration history" : "Migrations";
}

}  // namespace

void commit_set(const RunContext& run, const repo::Repository& repository, repo::SetReservation& writer,
                const Manifest& manifest, SetEncryption* encryption) {
  run.guard.throw_if_interrupted(kStopped);
  if (!repository.is_folder()) run.out << "Uploading the backup to " << repository.display() << "...\n" << std::flush;
  writer.set_show_progress(run.opts.show_progress);
  writer.commit(encryption ? seal_encrypted_set(writer, manifest, *encryption, !repository.is_folder()) : manifest);
  if (auto note = writer.commit_note(); !note.empty()) run.out << note << "\n";
}

std::uint64_t report_backup(const RunContext& run, const std::string& location, const std::string& prefix,
                            const DatabaseParts& db, const BackupAttachmentsResult& att, double seconds) {
  std::ostream& out = run.out;
  std::uint64_t total = att.bytes;
  out << "✓ Backup completed successfully!\n";
  for (const auto& f : db.files) {
    total += f.size;
    out << "  " << part_label(f.role) << ": " << prefix << "-" << f.part << " (" << format_mb(f.size) << ")\n";
  }
  if (run.opts.attachments)
    out << "  Attachments: " << prefix << "-attachments (" << format_size_auto(att.bytes) << ")\n";
  out << "  Total size: " << format_gb(total) << " (" << format_mb(total) << ")\n";
  out << "  Location: " << location << "\n";
  out << "  Took " << format_duration(seconds) << "\n";
  if (!db.warnings.empty())
    out << "  ⚠ " << db.warnings.size() << " warning(s): this backup leaves out what they name (also recorded in "
        << prefix << "-manifest.json)\n";
  out << std::flush;
  return total;
}

std::string json_summary(const BackupOptions& o, const SummaryFacts& facts, const DatabaseParts& db,
                         const BackupAttachmentsResult& att, const std::vector<RetentionDecision>& retention,
                         const std::vector<CopyReport>& copies) {
  const std::string& prefix = facts.prefix;
  const CopyReport* failed = nullptr;
  for (const auto& c : copies)
    if (!c.ok() && !failed) failed = &c;
  JsonWriter w;
  w.begin_object().field("ok", failed == nullptr).field("prefix", prefix).field("backup_dir", facts.location)
      .field("encrypted", o.encryption_key != nullptr);
  w.field("manifest", facts.manifest).field("seconds", facts.seconds).field("total_bytes", facts.total_bytes);
  w.key("files").begin_array();
  for (const auto& f : db.files)
    w.begin_object().field("name", prefix + "-" + f.part).field("role", f.role).field("size", f.size)
        .field("xxh3_128", f.xxh3_128).end_object();
  w.end_array();
  w.field("tables", static_cast<std::uint64_t>(db.data.tables.size())).field("rows", db.data.total_rows);
  w.key("attachments").begin_object().field("included", o.attachments)
      .field("files", static_cast<std::uint64_t>(att.objects.size())).field("bytes", att.bytes).end_object();
  w.key("retention");
  write_retention_json(w, retention, false);
  if (!copies.empty()) {
    // The primary set is complete whatever happened to the copies; "ok" covers both.
    w.field("backup_completed", true);
    w.key("copies").begin_array();
    for (const auto& c : copies) {
      w.begin_object().field("repository", c.repository).field("ok", c.ok());
      w.key("copied").begin_array();
      for (const auto& p : c.copied) w.value(p);
      w.end_array();
      if (!c.ok()) w.field("error", c.error);
      w.key("retention");
      write_retention_json(w, c.retention, false);
      w.end_object();
    }
    w.end_array();
  }
  if (failed) {
    w.key("error").begin_object().field("code", "copy_failed")
        .field("message", "the backup " + prefix + " is complete in " + facts.location + ", but the copy to " +
                              failed->repository + " failed: " + failed->error)
        .field("hint", "the next backup copies every backup the other repository lacks; check that it is reachable")
        .end_object();
    w.field("exit_code", kExitCopyFailed);
  }
  w.end_object();
  return w.str();
}

}  // namespace crm::engine::backup_phase
