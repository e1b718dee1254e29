#include <memory>
#include <stdexcept>

#include "engine/backup/backup_phases.hpp"
#include "engine/db_connect.hpp"
#include "engine/db_lock_wait.hpp"
#include "engine/format/human.hpp"
#include "engine/repo/folder_repository.hpp"

namespace crm::engine::backup_phase {

std::string now_iso() { return format_iso8601_utc(std::time(nullptr)); }

std::string data_part_name(const BackupOptions& o) { return o.zstd_level ? "data.sql.zst" : "data.sql"; }

Services connect_services(const RunContext& run) {
  const BackupOptions& o = run.opts;
  // Reach both services before a set is reserved: a stopped database or a rejected key leaves
  // nothing behind.
  pg::Connection coord = connect_database(o.db);
  auto cancel_coord =
      run.guard.on_signal([h = std::make_shared<pg::CancelHandle>(coord.cancel_handle())] { h->cancel(); });
  if (o.lock_timeout.count() > 0) set_lock_timeout(coord, o.lock_timeout);
  // Every storage request and transfer stops as soon as a signal arrives.
  storage::StorageConfig storage_cfg = o.storage;
  storage_cfg.cancelled = [&guard = run.guard] { return guard.signal_number() != 0; };
  std::unique_ptr<storage::StorageClient> storage_client;
  if (o.attachments) {
    storage_client = std::make_unique<storage::StorageClient>(storage_cfg);
    if (!storage_client->bucket_exists())
      throw std::runtime_error("the storage bucket '" + o.storage.bucket + "' does not exist at " +
                               o.storage.base_url + " (use --bucket, or --no-attachments to back up only the database)");
  }
  std::string source_identity = database_identity(coord);
  return Services{std::move(coord), std::move(cancel_coord), std::move(storage_cfg), std::move(storage_client),
                  std::move(source_identity)};
}

ReservedSet reserve_set(const RunContext& run, repo::Repository& repository) {
  run.guard.throw_if_interrupted("the backup was stopped before it started; nothing was written");
  auto writer = repository.reserve(std::time(nullptr));
  // The main thread removes the folder as it unwinds; this is for a main thread that does not
  // come back (blocked where no cancel reaches) before the guard's forced exit.
  auto remove_staging = run.guard.before_forced_exit([w = writer.get()] { w->abort_local(); });
  return ReservedSet{std::move(writer), std::move(remove_staging)};
}

std::unique_ptr<PreviousSetReuse> start_attachment_reuse(const BackupOptions& o, repo::Repository& repository,
                                                         const std::string& prefix) {
  // Only where sets can share files (hard links): a remote repository downloads every file.
  auto* folder = dynamic_cast<repo::FolderRepository*>(&repository);
  // Not into an encrypted set: the previous set's files are not the plaintext it would link.
  if (!o.attachments || o.full_download || !folder || !repository.capabilities().hard_links || o.encryption_key)
    return nullptr;
  auto reuse = std::make_unique<PreviousSetReuse>(folder->dir(), prefix);
  // Now, so the previous set's files are hashed while the database is dumped.
  reuse->start_hashing();
  return reuse;
}

void announce_set(const RunContext& run, const std::string& location, const std::string& prefix) {
  const BackupOptions& o = run.opts;
  std::ostream& out = run.out;
  out << "Starting database" << (o.attachments ? " and attachments" : "") << " backup...\n";
  out << "Backup files will be saved to: " << location << "\n";
  out << "  - Roles: " << prefix << "-roles.sql\n";
  out << "  - Schema: " << prefix << "-schema.sql\n";
  out << "  - Data: " << prefix << "-" << data_part_name(o) << "\n";
  if (o.attachments) out << "  - Attachments: " << prefix << "-attachments\n";
  out << std::flush;
}

}  // namespace crm::engine::backup_phase
