#pragma once
// The restore command: check the set, ask, then the database in ONE transaction (clear the
// target, roles, schema before the data, the data with FREEZE, the post-data part, migration
// history, optional URL rewrite), then make the bucket equal the backup.
#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "engine/repo/repository.hpp"
#include "engine/repo/repository_key.hpp"
#include "pgwire/conninfo.hpp"
#include "storage-api/config.hpp"

namespace crm::engine {

struct RestoreOptions {
  std::filesystem::path backup_dir;  // where a bare prefix is looked up (when repository is null)
  // Where the set is; null: the folder repository at backup_dir. A remote set is copied into
  // a private temporary folder first (removed afterwards).
  std::shared_ptr<repo::Repository> repository;
  std::string set;                   // prefix or path
  pg::ConnectOptions db;
  bool assume_yes = false;
  bool force = false;  // restore a set that fails verification (loudly)
  bool attachments = true;
  bool verify_download = false;
  std::string rewrite_from, rewrite_to;
  storage::StorageConfig storage;
  // When set, asked for the storage settings only when the set has attachments to restore: a
  // set without them needs no service key.
  std::function<storage::StorageConfig()> resolve_storage;
  bool show_progress = true;  // false: --quiet / --no-progress
  bool verbose = false;       // --verbose: the server's notices and warnings one by one
  std::chrono::milliseconds lock_timeout{60000};  // longest wait for one lock; 0: no limit
  // Asked for the data key when the set is encrypted (it is then decrypted into a private
  // temporary folder before anything is touched).
  repo::KeyUnlocker unlock_key;
};

struct RestoreOutcome {
  int exit_code = 0;  // 0, 2 (not confirmed: nothing changed), 3 (database restored, attachments failed)
  std::string json;
};

RestoreOutcome run_restore(const RestoreOptions& opts, std::ostream& out, std::istream& in, bool stdin_is_terminal);

}  // namespace crm::engine
