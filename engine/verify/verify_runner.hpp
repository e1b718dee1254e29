#pragma once
// The verify command: re-hash a set's files against its manifest (the attachments where they
// are stored, when the repository can), check its SQL files and, with restore_into, restore it
// into a scratch database and compare. Prints the problems and counts; the verdict and the
// JSON report are the outcome.
#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "engine/repo/repository.hpp"
#include "engine/repo/repository_key.hpp"
#include "storage-api/config.hpp"

namespace crm::engine {

struct VerifyOptions {
  std::filesystem::path backup_dir;  // where a bare prefix is looked up (when repository is null)
  // Where the set is; null: the folder repository at backup_dir. A remote set's files are
  // copied into a private temporary folder first (removed afterwards).
  std::shared_ptr<repo::Repository> repository;
  std::string set;  // prefix or path
  bool attachments = true;  // false: --no-attachments, the attachments are not hashed
  // --restore-into: PostgreSQL URL of a scratch database; empty: no restore.
  std::string restore_into;
  int connect_timeout_seconds = 10;
  bool assume_yes = false;  // replace a scratch database that already holds application data
  bool verbose = false;     // the server's notices during the restore
  std::chrono::milliseconds lock_timeout{60000};  // longest wait for one lock; 0: no limit
  // The scratch bucket the attachments are restored into (only one named on the command line,
  // never the configured one), asked for only when the restore starts; null: the attachments
  // are not restored.
  std::function<storage::StorageConfig()> resolve_storage;
  // The repository's data key, asked for only when the set turns out to be encrypted.
  repo::KeyUnlocker unlock_key;
};

struct VerifyOutcome {
  int exit_code = 0;    // 0: verified, 1: problems found
  std::string verdict;  // the result line ("✓ Backup ... verified"), printed even under --quiet
  std::string json;     // the machine-readable report
};

// `out` gets the human lines (progress, problems, counts); the verdict is left to the caller.
// Throws UsageError / DamagedSetError when the set cannot be verified at all (unknown, still
// being written, incomplete in a remote repository), and what verify_restore_into throws.
VerifyOutcome run_verify(const VerifyOptions& opts, std::ostream& out);

}  // namespace crm::engine
