#pragma once
// Incremental attachments: an object whose path, size, eTag and last-modified equal the
// previous complete set's record, and whose file there still hashes to that record's
// XXH3-128, is hard-linked into the new set instead of downloaded (a local copy where links
// are impossible). Every set stays self-contained: a link is a second name for the same bytes,
// so deleting the older set never touches the new one.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "engine/attachments/attachments.hpp"
#include "engine/backupset/manifest.hpp"
#include "storage-api/listing.hpp"

namespace crm::engine {

class PreviousSetReuse {
 public:
  // Uses the newest complete set in backup_dir with attachments, other than exclude_prefix.
  PreviousSetReuse(const std::filesystem::path& backup_dir, const std::string& exclude_prefix);

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
  // XXH3-128 of each previous file as it is on disk now ("" when unreadable), computed once,
  // on every core, the first time reuse() is asked: hashing is what an unchanged bucket costs.
  void hash_previous_files();
  std::map<std::string, std::string> on_disk_hash_;
  bool hashed_ = false;
  Stats stats_;
};

}  // namespace crm::engine
