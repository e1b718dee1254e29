#pragma once
// Writing a set so it is never half there: every part is written inside a hidden staging
// folder ".<prefix>.in-progress" (0700) that holds a lock for as long as the writer lives.
// finish() renames the parts into BACKUP_DIR, fsyncs, and writes the manifest last; only then
// does the set look complete. A writer destroyed or aborted before that removes everything it
// made. A crashed writer leaves its staging folder with the lock free, which
// clean_crashed_runs() recognises and removes together with any parts already renamed.
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/backupset/manifest.hpp"

namespace crm::engine {

class SetWriter {
 public:
  // Reserves a prefix for time now (the next free second if that prefix is taken).
  SetWriter(const std::filesystem::path& backup_dir, std::time_t now);
  // Reserves exactly this prefix (a copy of a set from another repository keeps its name);
  // throws when the folder has any file or staging folder of it.
  SetWriter(const std::filesystem::path& backup_dir, const std::string& exact_prefix);
  ~SetWriter();
  SetWriter(const SetWriter&) = delete;
  SetWriter& operator=(const SetWriter&) = delete;

  const std::string& prefix() const { return prefix_; }
  const std::filesystem::path& staging_dir() const { return staging_; }
  std::filesystem::path staging_path(std::string_view part) const { return staging_ / std::string(part); }
  std::filesystem::path final_path(std::string_view part) const;

  // Renames every staged part into place, then writes <prefix>-manifest.json atomically.
  void finish(const Manifest& manifest);
  // Removes the staging folder and any part already renamed. Safe from another thread
  // (the signal watcher) and idempotent.
  void abort() noexcept;
  bool finished() const { return finished_; }

 private:
  // Creates the staging folder of candidate; false when another writer has it.
  bool claim(const std::string& candidate);
  void take_lock();

  std::filesystem::path dir_;
  std::string prefix_;
  std::filesystem::path staging_;
  int lock_fd_ = -1;
  std::vector<std::filesystem::path> renamed_;
  bool finished_ = false;
  bool aborted_ = false;
  std::mutex mu_;
};

// Staging folder name for a prefix, and the reverse.
std::string staging_name(const std::string& prefix);
bool is_staging_name(std::string_view file_name, std::string* prefix_out = nullptr);
// True when a live writer holds the staging folder's lock.
bool staging_locked(const std::filesystem::path& staging_dir);

// Removes what crashed backups left: returns one line per removed item.
std::vector<std::string> clean_crashed_runs(const std::filesystem::path& backup_dir);

// Removes a whole set: manifest first (so an interrupted removal never leaves a
// complete-looking set), then the other parts.
void remove_set(const std::filesystem::path& backup_dir, const std::string& prefix);

}  // namespace crm::engine
