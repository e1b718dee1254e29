#include <memory>

#include "engine/backup/backup_phases.hpp"
#include "engine/data/migrations_sql.hpp"
#include "engine/format/human.hpp"
#include "engine/io/progress.hpp"
#include "engine/io/sink.hpp"
#include "engine/schema/roles_sql.hpp"
#include "engine/schema/schema_sql.hpp"
#include "pgwire/snapshot.hpp"

namespace crm::engine::backup_phase {

namespace {

WrittenFile commit_file(PartFile& f, const std::string& part, const std::string& role) {
  f.commit();
  return {part, role, f.bytes(), f.hash_hex()};
}

WrittenFile write_roles(const RunContext& run, pg::Connection& coord, repo::SetReservation& writer,
                        SetEncryption* encryption) {
  run.out << "Dumping database roles...\n" << std::flush;
  PartFile f(writer, "roles.sql", encryption);
  schema::write_roles_sql(coord, f);
  return commit_file(f, "roles.sql", "roles");
}

WrittenFile write_schema(const RunContext& run, pg::Connection& coord, repo::SetReservation& writer,
                         SetEncryption* encryption, std::vector<std::string>& warnings) {
  run.out << "Dumping database schema...\n" << std::flush;
  PartFile f(writer, "schema.sql", encryption);
  schema::SchemaOptions so;
  so.managed_schema_objects = run.opts.managed_schema_objects;
  warnings = schema::write_schema_sql(coord, f, so).warnings;
  WrittenFile written = commit_file(f, "schema.sql", "schema");
  for (const auto& w : warnings) run.out << "  ⚠ Warning: " << w << "\n";
  return written;
}

WrittenFile write_data(const RunContext& run, pg::Connection& coord, repo::SetReservation& writer,
                       SetEncryption* encryption, const std::string& snapshot, DataDumpResult& data) {
  const BackupOptions& o = run.opts;
  run.out << "Dumping database data...\n" << std::flush;
  const std::string data_part = data_part_name(o);
  PartFile f(writer, data_part, encryption);
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
    run.guard.throw_if_interrupted(kStopped);  // the dumper cancels its workers and unwinds
    progress.add_bytes(bytes - reported);
    reported = bytes;
  };
  data = dump_data(o.db, z ? static_cast<Sink&>(*z) : static_cast<Sink&>(f), d);
  progress.finish();
  if (z) z->finish();
  WrittenFile written = commit_file(f, data_part, "data");
  run.out << "  " << format_count(data.total_rows) << " rows in " << data.tables.size() << " tables, "
          << data.sequences.size() << " sequences\n";
  return written;
}

WrittenFile write_migrations(pg::Connection& coord, repo::SetReservation& writer, SetEncryption* encryption) {
  PartFile f(writer, "migrations.sql", encryption);
  write_migrations_sql(coord, f);
  return commit_file(f, "migrations.sql", "migrations");
}

WrittenFile write_applied_migrations(repo::SetReservation& writer, SetEncryption* encryption,
                                     const DataDumpResult& data) {
  // Kept for readers of the old layout; restore uses migrations.sql when the set has it.
  PartFile f(writer, "applied-migrations.txt", encryption);
  for (const auto& v : data.applied_migrations) f.write(v + "\n");
  return commit_file(f, "applied-migrations.txt", "applied-migrations");
}

}  // namespace

DatabaseParts dump_database_parts(const RunContext& run, pg::Connection& coord, repo::SetReservation& writer,
                                  const LockWaitWatcher& lock_watch, SetEncryption* encryption) {
  DatabaseParts db;
  try {
    std::string snapshot = pg::begin_exported_snapshot(coord);
    db.files.push_back(write_roles(run, coord, writer, encryption));
    db.files.push_back(write_schema(run, coord, writer, encryption, db.warnings));
    db.files.push_back(write_data(run, coord, writer, encryption, snapshot, db.data));
    db.files.push_back(write_migrations(coord, writer, encryption));
    db.files.push_back(write_applied_migrations(writer, encryption, db.data));
    coord.exec("COMMIT");  // the snapshot is no longer needed
    // A remote repository sends them while the attachments download (encrypted already when
    // the set is).
    for (const auto& f : db.files) writer.part_ready(f.part);
  } catch (const std::exception& e) {
    run.guard.throw_if_interrupted(kStopped);
    rethrow_if_lock_timeout(e, lock_watch, "backup failed",
                            "The unfinished backup was removed; older backups are untouched.");
    throw;
  }
  return db;
}

}  // namespace crm::engine::backup_phase
