#pragma once
// Bulk object transfers on one libcurl multi handle: `config.transfers` requests in flight on
// reused keep-alive connections (multiplexed over HTTP/2 when offered), each retried on its own
// with backoff; failures are collected per object, never stopping the others. Only a rejected
// service key stops everything (throws StorageError kKeyRejected).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
  std::function<void(std::uint64_t bytes)> on_bytes;               // bytes moved (may be re-sent on retry)
  std::function<void(const std::string& name, bool ok)> on_done;   // one object finished
  std::function<void(const std::string& name, const std::string& why)> on_retry;
};

std::vector<DownloadResult> download_objects(const StorageConfig& cfg, const std::vector<DownloadJob>& jobs,
                                             const TransferObserver& observer = {});
std::vector<UploadResult> upload_objects(const StorageConfig& cfg, const std::vector<UploadJob>& jobs,
                                         const TransferObserver& observer = {});

}  // namespace crm::storage
