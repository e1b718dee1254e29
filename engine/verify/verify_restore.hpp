#pragma once
// verify --restore-into: restore a set into a scratch database (created when the server
// allows) and compare what arrived with what the manifest recorded at backup time: per-table
// rows and content hashes, sequence values, the applied migrations; optionally the
// attachments into a scratch bucket. The database the backup came from is never touched.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/verify_files.hpp"
#include "pgwire/connection.hpp"
#include "storage-api/config.hpp"

namespace crm::engine {

struct RestoreIntoOptions {
  pg::ConnectOptions target;
  bool assume_yes = false;  // replace a database that already holds application data
  std::optional<storage::StorageConfig> storage;  // scratch bucket; none: attachments not restored
  bool verbose = false;  // show the server's notices during the restore
  std::function<void(const std::string&)> log;
  std::chrono::milliseconds lock_timeout{60000};  // longest wait for one lock; 0: no limit
};

struct RestoreIntoReport {
  bool restored = false;
  bool created_database = false;
  std::uint64_t tables_compared = 0;
  std::uint64_t rows_compared = 0;
  std::uint64_t sequences_compared = 0;
  std::uint64_t migrations_compared = 0;
  std::uint64_t matviews_compared = 0;
  bool dropped_database = false;  // created here, and removed again because the restore failed
  std::uint64_t objects_compared = 0;
  std::vector<VerifyProblem> problems;
};

// Throws UsageError when the target is refused (the backup's own source database, or one
// holding application data without --yes), LockTimeoutError when a lock was not granted in
// time and InterruptedError on SIGINT/SIGTERM/SIGHUP (the restore rolled back either way);
// other restore failures are reported as problems. A scratch database this call created is
// removed again when the restore fails (or anything throws); after a restore it stays, for
// inspection.
RestoreIntoReport verify_restore_into(const SetInfo& set, const RestoreIntoOptions& opts);

}  // namespace crm::engine
