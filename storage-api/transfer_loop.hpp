#pragma once
// Internals of the transfer engine shared by the downloader and the uploader: the per-transfer
// slot, the libcurl callbacks and the multi-handle loop with per-job retries.
#include <curl/curl.h>
#include <xxhash.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage-api/config.hpp"
#include "storage-api/curl_handles.hpp"
#include "storage-api/errors.hpp"
#include "storage-api/retry_policy.hpp"
#include "storage-api/transfer_engine.hpp"

namespace crm::storage::detail {

constexpr std::size_t kNoJob = static_cast<std::size_t>(-1);

std::string hex128(XXH128_hash_t h);
std::string errno_text(const std::string& what, const std::filesystem::path& p);

// One easy handle and everything one transfer needs; reused for job after job.
struct Slot {
  Easy easy;
  char errbuf[CURL_ERROR_SIZE] = {};
  SList headers;
  std::size_t job = kNoJob;
  long http = 0;
  std::string body;  // error bodies and upload answers
  std::string content_type, cache_control, etag, last_modified;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string local_error;
  // download
  int fd = -1;
  bool discard = false;
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> xxh{XXH3_createState(), &XXH3_freeState};
  std::uint64_t bytes = 0;
  // upload
  int in_fd = -1;
  std::uint64_t in_off = 0, in_size = 0;
  const TransferObserver* observer = nullptr;

  void clear_response() {
    http = 0;
    body.clear();
    content_type.clear();
    cache_control.clear();
    etag.clear();
    last_modified.clear();
    retry_after.reset();
    local_error.clear();
    errbuf[0] = 0;
  }
};


// libcurl callbacks; userdata is the Slot.
std::size_t on_header(char* p, std::size_t sz, std::size_t n, void* ud);
std::size_t on_body_text(char* p, std::size_t sz, std::size_t n, void* ud);

struct Verdict {
  enum Kind { kOk, kRetry, kFail, kFatal } kind = kOk;
  std::string why;
  ApiError api;
};


// The loop shared by downloads and uploads; subclasses say how to start and finish one job.
class TransferLoop {
 public:
  TransferLoop(const StorageConfig& cfg, std::size_t jobs, const TransferObserver& obs)
      : cfg_(cfg), observer_(obs), attempts_(jobs, 0), policy_{cfg.max_retries,
                                                                 std::chrono::milliseconds(cfg.retry_base_ms),
                                                                 std::chrono::milliseconds(cfg.retry_max_ms)} {
    append_auth_headers(auth_, cfg.service_key);
    auth_.append("Expect:");
  }
  virtual ~TransferLoop() = default;

  void run(std::size_t jobs);

 protected:
  virtual bool start(Slot& s, std::size_t job) = 0;  // false: s.local_error says why
  virtual Verdict finish(Slot& s, std::size_t job, CURLcode rc) = 0;
  virtual void give_up(Slot& s, std::size_t job, const std::string& why) = 0;
  virtual void release(Slot& s, bool success) = 0;  // close files; remove partial ones unless success
  virtual const std::string& name_of(std::size_t job) const = 0;

  Verdict classify(Slot& s, CURLcode rc) const;
  void prepare_easy(Slot& s, const std::string& url);

  const StorageConfig& cfg_;
  const TransferObserver& observer_;
  SList auth_;
  std::vector<int> attempts_;
  RetryPolicy policy_;
};



}  // namespace crm::storage::detail
