#pragma once
// BACKUP_DIR: checking it the way the old scripts did (same messages), and reading the sets
// it holds with their state, time and sizes.
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/backupset/manifest.hpp"
#include "engine/backupset/set_name.hpp"

namespace crm::engine {

// Resolves and checks BACKUP_DIR (flag value, else the environment). With create, a missing
// folder is made (0700). Throws UsageError with the old system's wording, and
// FolderAccessError (errno kept) when the running user may not read or write it.
std::filesystem::path resolve_backup_dir(const std::string& flag_value, bool create);

// Damaged: has a manifest and every part, but a part's size differs from the manifest.
enum class SetState { Complete, Legacy, Incomplete, InProgress, Damaged };
const char* to_string(SetState s);

struct SetInfo {
  SetName name;
  std::map<std::string, std::filesystem::path> parts;  // "roles.sql" -> path ...
  SetState state = SetState::Incomplete;
  std::string state_reason;  // why Incomplete or Damaged / what Legacy lacks
  std::vector<std::string> size_problems;  // Damaged: "<file>: expected N bytes, found M"
  std::optional<Manifest> manifest;
  // When the set was made, as a UTC instant: the manifest's started_at; for sets without a
  // readable manifest, the name read in this machine's zone. Orders sets and dates them for
  // retention, the same in every zone.
  std::time_t time = 0;
  bool time_from_manifest = false;
  std::filesystem::path staging;  // the leftover or live staging folder, if any
  std::uint64_t sql_bytes = 0;          // roles + schema + data (+ migrations, manifest)
  std::uint64_t attachments_bytes = 0;  // apparent size of the attachments folder
  std::uint64_t attachment_files = 0;
  std::uint64_t unshared_disk_bytes = 0;  // blocks held by files with a single link
  std::uint64_t total_bytes() const { return sql_bytes + attachments_bytes; }
  std::tm local_time() const;  // time in this machine's zone, for people
  std::filesystem::path part(const std::string& p) const;  // empty when absent
  std::string data_part() const;                           // "data.sql" or "data.sql.zst" or ""
};

// Every set in dir, newest first. Staging folders of running or crashed backups make their
// set InProgress (lock held) or Incomplete (lock free); their contents count in its sizes.
// Every set with a manifest gets the size check (size_check.hpp). Throws FolderAccessError
// when dir cannot be read: an unreadable folder never looks empty.
std::vector<SetInfo> scan_backup_dir(const std::filesystem::path& dir);

// Finds a set by prefix (looked up in dir) or by a path naming it directly
// ("/x/backup-2024-01-15-143022" or one of its files). Throws UsageError when not found.
SetInfo find_set(const std::filesystem::path& backup_dir, const std::string& prefix_or_path);

// Apparent size, file count and single-link disk blocks of a folder tree (no symlinks followed).
struct TreeSize {
  std::uint64_t bytes = 0;
  std::uint64_t files = 0;
  std::uint64_t unshared_disk_bytes = 0;
};
TreeSize measure_tree(const std::filesystem::path& dir);

}  // namespace crm::engine
