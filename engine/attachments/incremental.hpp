#pragma once
// Incremental attachments: an object whose path, size, eTag and last-modified equal the
// previous complete set's record, and whose file there still hashes to that record's
// XXH3-128, is hard-linked into the new set instead of downloaded (a local copy where links
// are impossible). Every set stays self-contained: a link is a second name for the same bytes,
// so deleting the older set never touches the new one.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "engine/attachments/attachments.hpp"
#include "engine/backupset/manifest.hpp"
#include "storage-api/listing.hpp"

namespace crm::engine {

class PreviousSetReuse {
 public:
  // Uses the newest complete set in backup_dir with attachments, other than exclude_prefix.
  PreviousSetReuse(const std::filesystem::path& backup_dir, const std::string& exclude_prefix);
  ~PreviousSetReuse();
  PreviousSetReuse(const PreviousSetReuse&) = delete;
  PreviousSetReuse& operator=(const PreviousSetReuse&) = delete;

  // Starts hashing the previous set's files in the background, so the database dump (waiting on
  // the network for a remote database) and the hashing overlap. reuse() waits for it.
  void start_hashing();

  bool active() const { return !from_prefix_.empty(); }
  const std::string& from_prefix() const { return from_prefix_; }

  // The BackupAttachmentsOptions::reuse hook.
  std::optional<ObjectRecord> reuse(const storage::ObjectEntry& listed, const std::filesystem::path& dest);
  // "linked" or "copied" for a reused path; "downloaded" otherwise.
  std::string source_of(const std::string& path) const;

  struct Stats {
    std::uint64_t linked = 0, copied = 0, changed = 0, corrupt = 0, bytes = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  std::filesystem::path previous_dir_;  // <prev>-attachments
  std::string from_prefix_;
  std::map<std::string, ManifestObject> previous_;
  std::map<std::string, std::string> sources_;
  // XXH3-128 of each previous file as it is on disk now ("" when unreadable), computed once on
  // every core, by start_hashing() or the first reuse(): hashing is what an unchanged bucket costs.
  void hash_previous_files();
  void wait_for_hashes();
  std::map<std::string, std::string> on_disk_hash_;
  bool hashed_ = false;
  std::thread hasher_;
  std::atomic<bool> stop_{false};  // set by the destructor: an aborted backup does not wait for the hashes
  Stats stats_;
};

}  // namespace crm::engine
