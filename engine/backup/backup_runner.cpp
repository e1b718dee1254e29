#include "engine/backup/backup_runner.hpp"

#include <unistd.h>

#include <chrono>
#include <memory>

#include "engine/attachments/attachments.hpp"
#include "engine/attachments/incremental.hpp"
#include "engine/backup/set_encryption.hpp"
#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/backupset/retention.hpp"
#include "engine/backupset/set_report.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/data/data_dump.hpp"
#include "engine/data/migrations_sql.hpp"
#include "engine/db_connect.hpp"
#include "engine/db_lock_wait.hpp"
#include "engine/errors.hpp"
#include "engine/format/human.hpp"
#include "engine/format/json_writer.hpp"
#include "engine/io/progress.hpp"
#include "engine/io/sink.hpp"
#include "engine/schema/roles_sql.hpp"
#include "engine/schema/schema_sql.hpp"
#include "engine/util/interrupt_guard.hpp"
#include "engine/version.hpp"
#include "pgwire/snapshot.hpp"
#include "storage-api/client.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

struct WrittenFile {
  std::string part;  // roles.sql ...
  std::string role;  // roles | schema | data | migrations | applied-migrations
  std::uint64_t size = 0;
  std::string xxh3_128;
};

WrittenFile commit_file(PartFile& f, const std::string& part, const std::string& role) {
  f.commit();
  return {part, role, f.bytes(), f.hash_hex()};
}

std::string now_iso() { return format_iso8601_utc(std::time(nullptr)); }

}  // namespace

BackupOutcome run_backup(const BackupOptions& o, std::ostream& out) {
  // First of all: before any thread is started (hashing, progress, dump workers, the lock
  // watcher) and before the staging folder exists, so no signal can take its default action
  // and leave the folder behind. Each resource registers its cleanup as it comes to exist.
  InterruptGuard guard("the unfinished backup was removed; older backups are untouched");
  const std::string stopped = "the backup was stopped: the unfinished backup was removed and older backups are untouched";
  auto t0 = std::chrono::steady_clock::now();
  std::string started_at = now_iso();
  std::shared_ptr<repo::Repository> repository = o.repository;
  if (!repository) repository = std::make_shared<repo::FolderRepository>(o.backup_dir);
  const std::string location = repository->display();
  for (const auto& line : repository->clean_crashed_runs()) out << "  " << line << "\n";

  // Reach both services before a set is reserved: a stopped database or a rejected key leaves
  // nothing behind.
  pg::Connection coord = connect_database(o.db);
  auto cancel_coord = guard.on_signal([h = std::make_shared<pg::CancelHandle>(coord.cancel_handle())] { h->cancel(); });
  if (o.lock_timeout.count() > 0) set_lock_timeout(coord, o.lock_timeout);
  // Every storage request and transfer stops as soon as a signal arrives.
  storage::StorageConfig storage_cfg = o.storage;
  storage_cfg.cancelled = [&guard] { return guard.signal_number() != 0; };
  std::unique_ptr<storage::StorageClient> storage_client;
  if (o.attachments) {
    storage_client = std::make_unique<storage::StorageClient>(storage_cfg);
    if (!storage_client->bucket_exists())
      throw std::runtime_error("the storage bucket '" + o.storage.bucket + "' does not exist at " +
                               o.storage.base_url + " (use --bucket, or --no-attachments to back up only the database)");
  }

  // Recorded so `verify --restore-into` can refuse to overwrite the database the backup came from.
  std::string source_identity = database_identity(coord);

  guard.throw_if_interrupted("the backup was stopped before it started; nothing was written");
  auto reservation = repository->reserve(std::time(nullptr));
  repo::SetReservation& writer = *reservation;
  // The main thread removes the folder as it unwinds; this is for a main thread that does not
  // come back (blocked where no cancel reaches) before the guard's forced exit.
  auto remove_staging = guard.before_forced_exit([&writer] { writer.abort_local(); });
  const std::string& prefix = writer.prefix();
  std::unique_ptr<SetEncryption> encryption;
  if (o.encryption_key) encryption = std::make_unique<SetEncryption>(o.encryption_key);
  // Started now so the previous set's files are hashed while the database is dumped. Only
  // where sets can share files (hard links): a remote repository downloads every file.
  std::unique_ptr<PreviousSetReuse> reuse;
  auto* folder = dynamic_cast<repo::FolderRepository*>(repository.get());
  // Not into an encrypted set: the previous set's files are not the plaintext it would link.
  if (o.attachments && !o.full_download && folder && repository->capabilities().hard_links && !encryption) {
    reuse = std::make_unique<PreviousSetReuse>(folder->dir(), prefix);
    reuse->start_hashing();
  }
  LockWaitWatcher lock_watch(o.db, coord, o.lock_timeout,
                             [&](const std::string& l) { out << ("  " + l + "\n") << std::flush; });

  const std::string data_part = o.zstd_level ? "data.sql.zst" : "data.sql";
  out << "Starting database" << (o.attachments ? " and attachments" : "") << " backup...\n";
  out << "Backup files will be saved to: " << location << "\n";
  out << "  - Roles: " << prefix << "-roles.sql\n";
  out << "  - Schema: " << prefix << "-schema.sql\n";
  out << "  - Data: " << prefix << "-" << data_part << "\n";
  if (o.attachments) out << "  - Attachments: " << prefix << "-attachments\n";
  out << std::flush;

  std::vector<WrittenFile> files;
  std::vector<std::string> warnings;
  DataDumpResult data;
  try {
    std::string snapshot = pg::begin_exported_snapshot(coord);

    out << "Dumping database roles...\n" << std::flush;
    {
      PartFile f(writer, "roles.sql", encryption.get());
      schema::write_roles_sql(coord, f);
      files.push_back(commit_file(f, "roles.sql", "roles"));
    }
    out << "Dumping database schema...\n" << std::flush;
    {
      PartFile f(writer, "schema.sql", encryption.get());
      schema::SchemaOptions so;
      so.managed_schema_objects = o.managed_schema_objects;
      warnings = schema::write_schema_sql(coord, f, so).warnings;
      files.push_back(commit_file(f, "schema.sql", "schema"));
      for (const auto& w : warnings) out << "  ⚠ Warning: " << w << "\n";
    }
    out << "Dumping database data...\n" << std::flush;
    {
      PartFile f(writer, data_part, encryption.get());
      std::unique_ptr<ZstdSink> z;
      if (o.zstd_level) z = std::make_unique<ZstdSink>(f, *o.zstd_level);
      Progress progress({.label = "data", .enabled = o.show_progress}, 0, 0);
      std::uint64_t reported = 0;
      DataDumpOptions d;
      d.jobs = o.jobs;
      d.coordinator = &coord;
      d.snapshot_id = snapshot;
      d.spool_dir = writer.staging_dir();
      d.lock_timeout_ms = static_cast<int>(o.lock_timeout.count());
      d.progress = [&](std::uint64_t bytes, std::uint64_t) {
        guard.throw_if_interrupted(stopped);  // the dumper cancels its workers and unwinds
        progress.add_bytes(bytes - reported);
        reported = bytes;
      };
      data = dump_data(o.db, z ? static_cast<Sink&>(*z) : static_cast<Sink&>(f), d);
      progress.finish();
      if (z) z->finish();
      files.push_back(commit_file(f, data_part, "data"));
      out << "  " << format_count(data.total_rows) << " rows in " << data.tables.size() << " tables, "
          << data.sequences.size() << " sequences\n";
    }
    {
      PartFile f(writer, "migrations.sql", encryption.get());
      write_migrations_sql(coord, f);
      files.push_back(commit_file(f, "migrations.sql", "migrations"));
    }
    {
      // Kept for readers of the old layout; restore uses migrations.sql when the set has it.
      PartFile f(writer, "applied-migrations.txt", encryption.get());
      for (const auto& v : data.applied_migrations) f.write(v + "\n");
      files.push_back(commit_file(f, "applied-migrations.txt", "applied-migrations"));
    }
    coord.exec("COMMIT");  // the snapshot is no longer needed
  } catch (const std::exception& e) {
    guard.throw_if_interrupted(stopped);
    rethrow_if_lock_timeout(e, lock_watch, "backup failed",
                            "The unfinished backup was removed; older backups are untouched.");
    throw;
  }

  BackupAttachmentsResult att;
  if (o.attachments) {
    out << "Backing up attachments...\n" << std::flush;
    BackupAttachmentsOptions ao;
    ao.log = [&](const std::string& line) { out << line << "\n" << std::flush; };
    ao.show_progress = o.show_progress;
    // Flushed as they complete, as a plain set's are, unless sealing replaces them (S3 blobs)
    // and flushes its copies at once.
    ao.durable = !encryption || folder;
    // A folder set's attachments are encrypted as they stream in. An S3 blob is bound to its
    // name, the keyed hash of the whole content, so its encryption waits for sealing; the name
    // is computed as the bytes stream in.
    if (encryption && folder)
      ao.transform = [&](const std::string& path, storage::BodyTransform::Output sink) {
        return encryption->encrypt_download(prefix, path, std::move(sink));
      };
    else if (encryption)
      ao.transform = [&](const std::string& path, storage::BodyTransform::Output sink) {
        return encryption->name_download(path, std::move(sink));
      };
    if (reuse && reuse->active())
      ao.reuse = [&](const storage::ObjectEntry& listed, const fs::path& dest) { return reuse->reuse(listed, dest); };
    else if (!folder && !o.full_download)  // may be empty: download everything
      ao.reuse = encryption ? encryption->stored_attachment_reuse(*repository, prefix)
                            : repository->stored_attachment_reuse(prefix);
    try {
      att = backup_attachments(storage_cfg, writer.staging_path("attachments"), ao);
    } catch (const std::exception&) {
      guard.throw_if_interrupted(stopped);
      throw;
    }
    if (reuse && reuse->active()) {
      const auto& rs = reuse->stats();
      out << "  Reused " << format_count(rs.linked + rs.copied) << " unchanged files from " << reuse->from_prefix()
          << " (" << format_count(rs.linked) << " hard links, " << format_count(rs.copied) << " local copies, "
          << format_mb(rs.bytes) << "); " << format_count(rs.changed) << " changed";
      if (rs.corrupt) out << ", " << format_count(rs.corrupt) << " damaged in the previous set and downloaded afresh";
      out << "\n";
    }
    if (!att.ok()) {
      out << "  ✗ " << att.failures.size() << " attachment(s) could not be backed up:\n";
      for (const auto& f : att.failures) out << "    " << f.path << ": " << f.reason << "\n";
      throw std::runtime_error(std::to_string(att.failures.size()) +
                               " attachment(s) failed; the unfinished backup was removed and older backups are untouched");
    }
    out << "  ✓ Attachments backup completed!\n";
    out << "    Files: " << format_count(att.objects.size()) << "\n";
    out << "    Size: " << format_gb(att.bytes) << " (" << format_mb(att.bytes) << ")\n";
  }

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
  for (const auto& f : files) m.files.push_back({prefix + "-" + f.part, f.role, f.size, f.xxh3_128});
  for (const auto& t : data.tables) m.tables.push_back({t.schema, t.name, t.rows, t.bytes, t.xxh3_128});
  for (const auto& s : data.sequences)
    m.sequences.push_back({s.schema, s.name, std::stoll(s.last_value), s.is_called});
  m.applied_migrations = data.applied_migrations;
  for (const auto& v : data.matviews)
    m.matviews.push_back({v.schema, v.name, v.populated, v.content.rows, v.content.xxh3_128_sum});
  m.warnings = warnings;
  m.attachments_included = o.attachments;
  m.bucket = o.attachments ? o.storage.bucket : "";
  for (const auto& ob : att.objects) {
    // "stored": unchanged and already in the (remote) repository, neither downloaded nor sent.
    std::string source = reuse ? reuse->source_of(ob.path) : ob.downloaded ? "downloaded" : "stored";
    m.objects.push_back({ob.path, ob.size, ob.xxh3_128, ob.content_type, ob.cache_control, ob.etag, ob.last_modified,
                         source, reuse && source != "downloaded" ? reuse->from_prefix() : ""});
  }
  m.finished_at = now_iso();
  guard.throw_if_interrupted(stopped);
  if (!repository->is_folder()) out << "Uploading the backup to " << location << "...\n" << std::flush;
  writer.set_show_progress(o.show_progress);
  writer.commit(encryption ? seal_encrypted_set(writer, m, *encryption, !folder) : m);
  if (auto note = writer.commit_note(); !note.empty()) out << note << "\n";

  std::uint64_t total = att.bytes;
  out << "✓ Backup completed successfully!\n";
  auto label = [](const std::string& role) {
    return role == "roles" ? "Roles" : role == "schema" ? "Schema" : role == "data" ? "Data"
         : role == "migrations" ? "Migration history" : "Migrations";
  };
  for (const auto& f : files) {
    total += f.size;
    out << "  " << label(f.role) << ": " << prefix << "-" << f.part << " (" << format_mb(f.size) << ")\n";
  }
  if (o.attachments) out << "  Attachments: " << prefix << "-attachments (" << format_size_auto(att.bytes) << ")\n";
  out << "  Total size: " << format_gb(total) << " (" << format_mb(total) << ")\n";
  out << "  Location: " << location << "\n";
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out << "  Took " << format_duration(secs) << "\n";
  if (!warnings.empty())
    out << "  ⚠ " << warnings.size() << " warning(s): this backup leaves out what they name (also recorded in "
        << prefix << "-manifest.json)\n";
  out << std::flush;

  std::vector<RetentionDecision> retention;
  if (o.apply_retention) {
    auto plan = plan_retention(repository->list_sets(), prefix, std::time(nullptr), o.retention_days);
    retention = apply_retention([&](const std::string& p) { repository->remove_set(p); }, plan);
    print_retention(out, retention, false, o.retention_days);
    for (const auto& line : repository->sweep_unreferenced()) out << "  " << line << "\n";
  }

  BackupOutcome outcome;
  outcome.prefix = prefix;
  outcome.manifest_path = writer.final_location("manifest.json");
  JsonWriter w;
  w.begin_object().field("ok", true).field("prefix", prefix).field("backup_dir", location)
      .field("encrypted", encryption != nullptr);
  w.field("manifest", outcome.manifest_path.string()).field("seconds", secs).field("total_bytes", total);
  w.key("files").begin_array();
  for (const auto& f : files)
    w.begin_object().field("name", prefix + "-" + f.part).field("role", f.role).field("size", f.size)
        .field("xxh3_128", f.xxh3_128).end_object();
  w.end_array();
  w.field("tables", static_cast<std::uint64_t>(data.tables.size())).field("rows", data.total_rows);
  w.key("attachments").begin_object().field("included", o.attachments)
      .field("files", static_cast<std::uint64_t>(att.objects.size())).field("bytes", att.bytes).end_object();
  w.key("retention");
  write_retention_json(w, retention, false);
  w.end_object();
  outcome.json = w.str();
  return outcome;
}

}  // namespace crm::engine
