#pragma once
// Bulk object transfers on one libcurl multi handle: `config.transfers` requests in flight on
// reused keep-alive connections (multiplexed over HTTP/2 when offered), each retried on its own
// with backoff; failures are collected per object, never stopping the others. Two things stop
// everything at once (the transfers in flight are cancelled, their partial files removed, no
// new one starts): a rejected service key (throws StorageError kKeyRejected) and a full disk
// (throws std::system_error with ENOSPC/EDQUOT, naming the file).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage-api/body_transform.hpp"
#include "storage-api/config.hpp"

namespace crm::storage {

struct DownloadJob {
  std::string name;
  std::filesystem::path dest;  // bytes go to <dest>.partial, renamed when complete; empty: hash only
  std::optional<std::uint64_t> expected_size;  // from the listing
};

struct DownloadResult {
  std::string name;
  bool ok = false;
  std::uint64_t size = 0;
  std::string xxh3_128;  // 32 lowercase hex digits
  std::string content_type, cache_control, etag, last_modified;  // from the response headers
  int attempts = 0;
  std::string error;  // why it failed, after the last attempt
};

struct UploadJob {
  std::string name;
  std::filesystem::path src;
  std::string content_type;   // sent as recorded; empty: application/octet-stream
  std::string cache_control;  // sent as recorded; empty: no-cache
};

struct UploadResult {
  std::string name;
  bool ok = false;
  std::uint64_t size = 0;
  int attempts = 0;
  std::string error;
};

struct TransferObserver {
  std::function<void(std::uint64_t bytes)> on_bytes;               // bytes moved
  // Bytes already reported by on_bytes that a failed attempt moved in vain (a retry sends them
  // again): subtract them so the progress never counts a byte twice.
  std::function<void(std::uint64_t bytes)> on_rewind;
  std::function<void(const std::string& name, bool ok)> on_done;   // one object finished
  std::function<void(const std::string& name, const std::string& why)> on_retry;
};

struct DownloadOptions {
  // Every file is on disk (fdatasync) when download_objects returns: writeback starts as each
  // file completes (and every few MB of a big one) and a background pool flushes them while
  // the others download, so the end has almost nothing left to flush. The folders holding the
  // files are the caller's to fsync.
  bool durable = false;
  // A destination whose folder is missing gets it made (each missing level 0700) when its
  // download starts, so the transfers begin without waiting for a whole tree of folders to be
  // made first. For fresh trees of the caller's own (the caller has refused names that would
  // make a file and a folder of the same path); a path component that exists and is not a
  // folder fails that object.
  bool create_folders = false;
  // Called on the transfer thread as each file is in place (renamed, its hash known), so a
  // caller can start using it while the others download (e.g. send it on to a repository).
  // Must not throw: the transfer loop has no one to hand an exception to.
  std::function<void(const DownloadJob& job, const DownloadResult& result)> on_landed;
  // When set, each attempt's body goes through the transform it makes (body_transform.hpp);
  // only a download with a dest can have one.
  BodyTransformFactory transform;
};

std::vector<DownloadResult> download_objects(const StorageConfig& cfg, const std::vector<DownloadJob>& jobs,
                                             const TransferObserver& observer = {},
                                             const DownloadOptions& options = {});
std::vector<UploadResult> upload_objects(const StorageConfig& cfg, const std::vector<UploadJob>& jobs,
                                         const TransferObserver& observer = {});

}  // namespace crm::storage
