#pragma once
// The backup command: roles, schema and data from one snapshot, the attachments bucket, the
// manifest written last, then retention. Prints the old scripts' lines.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "crypto/data_key.hpp"
#include "engine/repo/repository.hpp"
#include "engine/repo/repository_key.hpp"
#include "pgwire/conninfo.hpp"
#include "storage-api/config.hpp"

namespace crm::engine {

struct BackupOptions {
  std::filesystem::path backup_dir;  // resolved and checked; used when repository is null
  std::shared_ptr<repo::Repository> repository;  // null: the folder repository at backup_dir
  pg::ConnectOptions db;
  unsigned jobs = 0;
  std::optional<int> zstd_level;  // data.sql.zst when set
  bool attachments = true;
  storage::StorageConfig storage;
  int retention_days = 7;
  bool apply_retention = true;
  bool managed_schema_objects = true;
  bool full_download = false;  // ignore the previous set's files (incremental attachments)
  bool show_progress = true;   // false: --quiet / --no-progress
  std::chrono::milliseconds lock_timeout{60000};  // longest wait for one lock; 0: no limit
  // --copy-to: other repositories that get the committed set (and the sets they lack).
  std::vector<std::shared_ptr<repo::Repository>> copy_to;
  // The repository's data key: the set is encrypted (engine/backup/set_encryption.hpp). Null: plain.
  std::shared_ptr<const crypto::DataKey> encryption_key;
  // --copy-to of encrypted sets (re-encrypted for each target): the primary's data key, and a
  // target's (its key file created on the first encrypted copy). Asked for only when a set to
  // copy is encrypted.
  repo::KeyUnlocker unlock_key;
  repo::KeyUnlocker copy_target_key;
};

// The backup is complete in its repository, but a copy to another one failed.
inline constexpr int kExitCopyFailed = 4;

struct BackupOutcome {
  std::string prefix;
  std::filesystem::path manifest_path;  // or the manifest's URL in a remote repository
  int exit_code = 0;
  std::string json;  // the machine-readable summary
};

// `out` gets the human lines (stdout, or stderr under --json).
BackupOutcome run_backup(const BackupOptions& opts, std::ostream& out);

}  // namespace crm::engine
