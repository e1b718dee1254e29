#pragma once
// A backup repository: where sets live. Backup, list, verify, restore and prune speak to this
// interface only, so a folder (BACKUP_DIR, the old layout) and an S3 bucket behave the same:
// a set is complete only when its manifest exists, the manifest is written last and removed
// first, and a running backup's set is never taken or deleted by anyone else.
#include <cstddef>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/attachments/attachments.hpp"
#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/backupset/verify_files.hpp"

namespace crm::engine::repo {

// What the storage underneath can do cheaply; callers pick a strategy from it (e.g. the
// incremental attachment reuse links files only where hard links exist).
struct Capabilities {
  bool hard_links = false;
  bool rename = false;            // an atomic rename of a finished part into place
  bool server_side_copy = false;  // copy a stored object without downloading it
};

// A part of a set opened for reading, delivered in order.
class PartReader {
 public:
  virtual ~PartReader() = default;
  // Fills up to cap bytes and returns how many; 0 at the end. Throws on a read failure.
  virtual std::size_t read(char* buf, std::size_t cap) = 0;
};

// A set being written. The parts are produced as files in a private local staging folder (the
// database dump spools there, the attachment downloader writes a tree there); commit() moves
// them into the repository and writes the manifest last. Destroyed without commit, it aborts.
class SetReservation {
 public:
  virtual ~SetReservation() = default;
  virtual const std::string& prefix() const = 0;
  virtual const std::filesystem::path& staging_dir() const = 0;
  std::filesystem::path staging_path(std::string_view part) const { return staging_dir() / std::string(part); }
  // Where a committed part is, for people ("/backups/backup-...-roles.sql", "s3://b/p/backup-...").
  virtual std::string final_location(std::string_view part) const = 0;
  // The part's file in staging is final (it will not change): a remote repository may start
  // sending it now, while the backup goes on. Throws the first failure of such an upload, so
  // the backup stops at once. commit() still sends what was never announced.
  virtual void part_ready(std::string_view /*part*/) {}
  // An attachment landed in staging ("attachments/..." below it) with its content hash.
  // Called from a transfer thread; never throws (a failure shows at the next part_ready or at
  // commit).
  virtual void attachment_ready(const std::string& /*object_path*/, const std::filesystem::path& /*file*/,
                                std::uint64_t /*size*/, const std::string& /*xxh3_128*/) noexcept {}
  virtual void commit(const Manifest& manifest) = 0;
  // Whether commit() shows the progress of a long transfer (uploads to a remote repository).
  virtual void set_show_progress(bool) {}
  // Removes everything this reservation made. Idempotent.
  virtual void abort() noexcept = 0;
  // For a main thread that does not come back before a forced exit: only local work, no
  // network (what stays remote is recognised and cleaned by the next backup or prune).
  virtual void abort_local() noexcept = 0;
  // After commit: what the upload did, for people ("" when there is nothing to say).
  virtual std::string commit_note() const { return ""; }
  // Whether commit() needs this attachment's bytes staged: false where the repository already
  // stores that content (a copy then neither reads nor sends it).
  virtual bool needs_attachment_bytes(const ManifestObject&) { return true; }
};

// A set's files in a local folder in the folder layout, for the code that reads files by path
// (restore, verify). For the folder repository it is the set itself; for a remote repository
// a private temporary copy, removed when this is destroyed.
class LocalSet {
 public:
  virtual ~LocalSet() = default;
  virtual const SetInfo& set() const = 0;
};

// BackupAttachmentsOptions::reuse: a record for an attachment the backup need not download.
using AttachmentReuse =
    std::function<std::optional<ObjectRecord>(const storage::ObjectEntry& listed, const std::filesystem::path& dest)>;

class Repository {
 public:
  virtual ~Repository() = default;
  // "/backups" or "s3://bucket/prefix/": what messages name (never a secret).
  virtual std::string display() const = 0;
  virtual bool is_folder() const = 0;
  virtual Capabilities capabilities() const = 0;

  // Every set, newest first, with state, time and sizes. A set without a manifest is never
  // Complete; one a live backup writes is InProgress.
  virtual std::vector<SetInfo> list_sets() = 0;
  // A set by prefix (or, for the folder repository, a path naming it). Throws UsageError.
  virtual SetInfo find_set(const std::string& prefix_or_path) = 0;
  // Removes what crashed backups left (never a live backup's set); one line per removed item.
  virtual std::vector<std::string> clean_crashed_runs() = 0;
  // Reserves a new set's prefix for time now (the next free second when taken).
  virtual std::unique_ptr<SetReservation> reserve(std::time_t now) = 0;
  // Reserves exactly this prefix, for a copy of a set from another repository (it keeps its
  // name). Throws when the repository already has objects of that prefix.
  virtual std::unique_ptr<SetReservation> reserve_named(const std::string& prefix) = 0;
  // A part of a set: a file name as the manifest lists it ("backup-...-roles.sql") or
  // "<prefix>-attachments/<object path>".
  virtual std::unique_ptr<PartReader> open_part(const SetInfo& set, const std::string& name) = 0;
  virtual std::unique_ptr<LocalSet> local_set(const SetInfo& set, bool with_attachments) = 0;
  // Hashes the set's attachments where they are stored, streamed, without a local copy, and
  // compares them with the manifest. nullopt where the local files are checked instead (the
  // folder repository, whose local set is the set itself).
  virtual std::optional<std::vector<VerifyProblem>> verify_attachments_in_place(const SetInfo&) { return std::nullopt; }
  // Manifest first (an interrupted removal never leaves a complete-looking set), then the rest.
  virtual void remove_set(const std::string& prefix) = 0;
  // After sets were removed: deletes stored content no remaining set refers to (content shared
  // between sets); one line per action. Nothing to do where sets share nothing.
  virtual std::vector<std::string> sweep_unreferenced() { return {}; }
  // For a backup writing the set exclude_prefix: recognises an attachment unchanged since the
  // newest complete set (same size, ETag and time) whose content the repository already holds,
  // so it is neither downloaded nor stored again (no file is put at dest). Empty where the
  // backup reuses files otherwise (the folder repository's hard links).
  virtual AttachmentReuse stored_attachment_reuse(const std::string&) { return {}; }

  // The repository's key file (docs/encryption-format.md: the data key of its encrypted sets,
  // wrapped under the passphrase); nullopt while no encrypted set was ever made.
  virtual std::optional<std::string> read_key_file() = 0;
  // Stores the first key file; false (nothing written) when one exists already, e.g. made by
  // a backup running at the same time.
  virtual bool create_key_file(const std::string& json) = 0;
  // Replaces it at once (a reader sees the old or the new one, never a mix).
  virtual void replace_key_file(const std::string& json) = 0;
  // Where it is, for people.
  virtual std::string key_file_location() const = 0;
};

// The key file's name in the repository's root (a folder's file, an S3 object under the prefix).
inline constexpr std::string_view kKeyFileName = "crmbackup-key.json";

}  // namespace crm::engine::repo
