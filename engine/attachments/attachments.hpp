#pragma once
// The attachments part of a backup set: the bucket's files under <prefix>-attachments/<object
// path>, and the way back (make the bucket equal the backup).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/backupset/manifest.hpp"
#include "storage-api/body_transform.hpp"
#include "storage-api/client.hpp"
#include "storage-api/config.hpp"

namespace crm::engine {

// One object as the manifest records it.
struct ObjectRecord {
  std::string path;  // the object's name in the bucket = its path under the attachments folder
  std::uint64_t size = 0;
  std::string xxh3_128;
  std::string content_type;
  std::string cache_control;
  std::string etag;
  std::string last_modified;
  bool downloaded = true;  // false: placed by BackupAttachmentsOptions::reuse (incremental)
};

// An object as the manifest recorded it (downloaded stays true; a reuse sets it false).
ObjectRecord object_record(const ManifestObject& o);
// Every object of the manifest, in its order.
std::vector<ObjectRecord> manifest_objects(const Manifest& m);

struct ObjectFailure {
  std::string path;
  std::string reason;
};

struct BackupAttachmentsOptions {
  bool show_progress = true;
  // Every file flushed to disk (fdatasync) before backup_attachments returns: a set's own
  // files must survive a crash. false where a remote repository's staging copy is sent on and
  // removed (a crash loses the run anyway), or where the caller replaces the files (an
  // encrypted set encrypts them) and makes the result durable itself.
  bool durable = true;
  std::string progress_label = "attachments";
  std::string output_name = "BACKUP_DIR";  // what a full-disk error suggests choosing another of
  std::function<void(const std::string&)> log;  // "Found N files to backup", ...; default: none
  // Incremental backups: called for each listed object (its name already checked safe) before
  // it is downloaded. When it returns a record it has put the file at `dest` itself (a hard
  // link or a local copy of an unchanged file) and the object is not downloaded.
  std::function<std::optional<ObjectRecord>(const storage::ObjectEntry& listed, const std::filesystem::path& dest)>
      reuse;
  // Called on the transfer thread as each downloaded file is in place at `file` with its size
  // and XXH3-128, so a remote repository can send it on while the rest download. Must not throw.
  std::function<void(const std::string& object_name, const std::filesystem::path& file, std::uint64_t size,
                     const std::string& xxh3_128)>
      on_landed;
  // When set, each object's body passes through the transform it makes for that object's path
  // on its way into the file (an encrypted set: the file never holds the plaintext); the
  // records still give the size and XXH3-128 of the bytes received.
  std::function<std::unique_ptr<storage::BodyTransform>(const std::string& path, storage::BodyTransform::Output out)>
      transform;
};

struct BackupAttachmentsResult {
  std::vector<ObjectRecord> objects;  // written and verified (size, hash computed while streaming)
  std::vector<ObjectFailure> failures;
  std::uint64_t bytes = 0;
  double seconds = 0;
  storage::ListingMethod listing = storage::ListingMethod::kNone;
  bool ok() const { return failures.empty(); }
};

// Downloads every object of cfg.bucket into dest_dir (created 0700; files 0600); every file and
// folder is on disk (fsynced) when it returns. Throws StorageError when the bucket is missing,
// the key is rejected or the listing fails, and std::system_error (ENOSPC/EDQUOT, one message
// with what to do) at the first full-disk error, after stopping every transfer; per-object
// failures (refused names, transfers that failed after their retries) are returned, all of them.
BackupAttachmentsResult backup_attachments(const storage::StorageConfig& cfg, const std::filesystem::path& dest_dir,
                                           const BackupAttachmentsOptions& opts = {});

struct RestoreAttachmentsOptions {
  bool delete_extra = true;      // delete objects that are not in the backup
  bool verify_download = false;  // re-download everything and compare XXH3-128
  bool create_bucket = true;     // create the bucket when it is missing
  bool show_progress = true;
  std::function<void(const std::string&)> log;
};

struct RestoreAttachmentsResult {
  std::size_t uploaded = 0;
  std::size_t deleted = 0;
  std::uint64_t bytes = 0;
  bool listing_matches = false;  // names and sizes of the bucket equal the backup's
  bool hashes_verified = false;  // verify_download ran and every hash matched
  std::vector<ObjectFailure> failures;
  bool ok() const { return failures.empty() && listing_matches; }
};

// A file of the backup to upload.
struct LocalObject {
  ObjectRecord record;
  std::filesystem::path file;
};

// Makes the bucket equal the backup in src_dir. objects: the manifest's entries (files at
// src_dir/<path>); empty: src_dir is scanned (see scan_attachments_folder).
RestoreAttachmentsResult restore_attachments(const storage::StorageConfig& cfg, const std::filesystem::path& src_dir,
                                             const std::vector<ObjectRecord>& objects,
                                             const RestoreAttachmentsOptions& opts = {});

// A folder without a manifest: the old scripts' copy of the file backend
// (<dir>/attachments/<object path>/<version>, metadata in xattrs when cp kept them) or plain
// files (<dir>/<object path>). Content types are what was recorded, else application/octet-stream.
std::vector<LocalObject> scan_attachments_folder(const std::filesystem::path& src_dir, bool* legacy = nullptr);

}  // namespace crm::engine
