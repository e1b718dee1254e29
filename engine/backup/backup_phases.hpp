#pragma once
// The phases of run_backup, in the order it calls them. Each phase takes what the earlier ones
// produced and prints its own lines, so the runner reads as the list of steps.
#include <cstdint>
#include <ctime>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/attachments/attachments.hpp"
#include "engine/attachments/incremental.hpp"
#include "engine/backup/backup_runner.hpp"
#include "engine/backup/set_encryption.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/backupset/retention.hpp"
#include "engine/data/data_dump.hpp"
#include "engine/db_lock_wait.hpp"
#include "engine/repo/repository.hpp"
#include "engine/util/interrupt_guard.hpp"
#include "pgwire/connection.hpp"
#include "storage-api/client.hpp"

namespace crm::engine::backup_phase {

// What a signal during the run turns into once the run has unwound.
inline constexpr const char* kStopped =
    "the backup was stopped: the unfinished backup was removed and older backups are untouched";

// What every phase needs: the options, where the human lines go, and the signal guard.
struct RunContext {
  const BackupOptions& opts;
  std::ostream& out;
  InterruptGuard& guard;
};

// The database and the Storage API, reached before a set is reserved.
struct Services {
  pg::Connection coord;  // holds the exported snapshot
  InterruptGuard::Registration cancel_coord;
  storage::StorageConfig storage_cfg;  // stops every request once a signal arrived
  std::unique_ptr<storage::StorageClient> storage_client;  // null without attachments
  std::string source_identity;  // so `verify --restore-into` refuses the source database
};

// The set being written, and the last-resort cleanup of its local staging folder.
struct ReservedSet {
  std::unique_ptr<repo::SetReservation> writer;
  InterruptGuard::Registration remove_staging;
};

struct WrittenFile {
  std::string part;  // roles.sql ...
  std::string role;  // roles | schema | data | migrations | applied-migrations
  std::uint64_t size = 0;
  std::string xxh3_128;
};

struct DatabaseParts {
  std::vector<WrittenFile> files;
  std::vector<std::string> warnings;  // kinds schema.sql could not write
  DataDumpResult data;
};

std::string now_iso();
std::string data_part_name(const BackupOptions& o);

Services connect_services(const RunContext& run);
ReservedSet reserve_set(const RunContext& run, repo::Repository& repository);
// The folder repository's hard-link reuse of the previous set, hashing in the background from
// now on; null where it does not apply.
std::unique_ptr<PreviousSetReuse> start_attachment_reuse(const BackupOptions& o, repo::Repository& repository,
                                                         const std::string& prefix);
void announce_set(const RunContext& run, const std::string& location, const std::string& prefix);
// encryption: null for a plain set; otherwise each part is encrypted as it is written.
DatabaseParts dump_database_parts(const RunContext& run, pg::Connection& coord, repo::SetReservation& writer,
                                  const LockWaitWatcher& lock_watch, SetEncryption* encryption);
BackupAttachmentsResult back_up_attachments(const RunContext& run, const storage::StorageConfig& storage_cfg,
                                            repo::Repository& repository, repo::SetReservation& writer,
                                            PreviousSetReuse* reuse, SetEncryption* encryption);
Manifest build_manifest(const BackupOptions& o, const std::string& prefix, const std::string& started_at,
                        const std::string& source_identity, const DatabaseParts& db,
                        const BackupAttachmentsResult& att, const PreviousSetReuse* reuse);
// An encrypted set is sealed first: its attachments and real manifest encrypted, and the plain
// summary committed in the manifest's place.
void commit_set(const RunContext& run, const repo::Repository& repository, repo::SetReservation& writer,
                const Manifest& manifest, SetEncryption* encryption);
// The closing lines; returns the set's total bytes.
std::uint64_t report_backup(const RunContext& run, const std::string& location, const std::string& prefix,
                            const DatabaseParts& db, const BackupAttachmentsResult& att, double seconds);
std::vector<RetentionDecision> apply_backup_retention(const RunContext& run, repo::Repository& repository,
                                                      const std::string& prefix);

// What `--copy-to` did for one other repository.
struct CopyReport {
  std::string repository;            // display(): never a secret
  std::vector<std::string> copied;   // prefixes pushed, newest first
  std::vector<RetentionDecision> retention;
  std::string error;                 // why the push stopped; "" when the target has every set
  bool ok() const { return error.empty(); }
};
// After the primary commit: to each of opts.copy_to, the new set and the complete sets it lacks.
std::vector<CopyReport> copy_to_repositories(const RunContext& run, repo::Repository& primary,
                                             const std::string& prefix);

struct SummaryFacts {
  const std::string& prefix;
  const std::string& location;
  const std::string& manifest;
  double seconds;
  std::uint64_t total_bytes;
};
std::string json_summary(const BackupOptions& o, const SummaryFacts& facts, const DatabaseParts& db,
                         const BackupAttachmentsResult& att, const std::vector<RetentionDecision>& retention,
                         const std::vector<CopyReport>& copies);

}  // namespace crm::engine::backup_phase
