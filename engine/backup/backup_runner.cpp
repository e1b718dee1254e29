#include "engine/backup/backup_runner.hpp"

#include <chrono>
#include <memory>

#include "engine/backup/backup_phases.hpp"
#include "engine/repo/folder_repository.hpp"

namespace crm::engine {

namespace {

using namespace backup_phase;

// What the primary repository's set came to, once committed.
struct CommittedSet {
  std::string prefix;
  std::string manifest_location;
  DatabaseParts db;
  BackupAttachmentsResult att;
};

// From connecting to the commit. The database connections, the lock watcher and the reuse
// hashing end with it, so none stays open through the copies to other repositories.
CommittedSet write_set(const RunContext& run, repo::Repository& repository, const std::string& location,
                       const std::string& started_at) {
  const BackupOptions& o = run.opts;
  Services services = connect_services(run);
  ReservedSet reserved = reserve_set(run, repository);
  repo::SetReservation& writer = *reserved.writer;
  const std::string& prefix = writer.prefix();
  std::unique_ptr<SetEncryption> encryption;
  if (o.encryption_key) encryption = std::make_unique<SetEncryption>(o.encryption_key);
  std::unique_ptr<PreviousSetReuse> reuse = start_attachment_reuse(o, repository, prefix);
  LockWaitWatcher lock_watch(o.db, services.coord, o.lock_timeout,
                             [&](const std::string& l) { run.out << ("  " + l + "\n") << std::flush; });
  announce_set(run, location, prefix);

  DatabaseParts db = dump_database_parts(run, services.coord, writer, lock_watch, encryption.get());
  BackupAttachmentsResult att =
      back_up_attachments(run, services.storage_cfg, repository, writer, reuse.get(), encryption.get());
  Manifest manifest = build_manifest(o, prefix, started_at, services.source_identity, db, att, reuse.get());
  commit_set(run, repository, writer, manifest, encryption.get());
  return CommittedSet{prefix, writer.final_location("manifest.json"), std::move(db), std::move(att)};
}

}  // namespace

BackupOutcome run_backup(const BackupOptions& o, std::ostream& out) {
  // First of all: before any thread is started (hashing, progress, dump workers, the lock
  // watcher) and before the staging folder exists, so no signal can take its default action
  // and leave the folder behind. Each resource registers its cleanup as it comes to exist.
  InterruptGuard guard("the unfinished backup was removed; older backups are untouched");
  const RunContext run{o, out, guard};
  const auto t0 = std::chrono::steady_clock::now();
  const std::string started_at = now_iso();
  std::shared_ptr<repo::Repository> repository = o.repository;
  if (!repository) repository = std::make_shared<repo::FolderRepository>(o.backup_dir);
  const std::string location = repository->display();
  for (const auto& line : repository->clean_crashed_runs()) out << "  " << line << "\n";

  CommittedSet set = write_set(run, *repository, location, started_at);
  const std::string& prefix = set.prefix;

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::uint64_t total = report_backup(run, location, prefix, set.db, set.att, secs);
  std::vector<RetentionDecision> retention = apply_backup_retention(run, *repository, prefix);
  std::vector<CopyReport> copies = copy_to_repositories(run, *repository, prefix);

  BackupOutcome outcome;
  outcome.prefix = prefix;
  outcome.manifest_path = set.manifest_location;
  for (const auto& c : copies)
    if (!c.ok()) outcome.exit_code = kExitCopyFailed;
  outcome.json = json_summary(o, {prefix, location, set.manifest_location, secs, total}, set.db, set.att, retention,
                              copies);
  return outcome;
}

}  // namespace crm::engine
