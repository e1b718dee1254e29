#pragma once
// Internals of the transfer engine shared by the downloader and the uploader: the per-transfer
// slot, the libcurl callbacks and the multi-handle loop with per-job retries.
#include <curl/curl.h>
#include <xxhash.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage-api/body_transform.hpp"
#include "storage-api/config.hpp"
#include "storage-api/curl_handles.hpp"
#include "storage-api/errors.hpp"
#include "storage-api/retry_policy.hpp"
#include "storage-api/transfer_engine.hpp"

namespace crm::storage::detail {

constexpr std::size_t kNoJob = static_cast<std::size_t>(-1);
constexpr std::uint64_t kNoWriteback = static_cast<std::uint64_t>(-1);

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
  int local_errno = 0;       // with local_error, when a system call failed
  std::uint64_t reported = 0;  // bytes of this attempt reported to observer->on_bytes
  // download
  int fd = -1;
  bool discard = false;
  std::uint64_t writeback_from = kNoWriteback;  // durable downloads: bytes not yet handed to the disk start here
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> xxh{XXH3_createState(), &XXH3_freeState};
  std::uint64_t bytes = 0;        // received (what the result's size and hash describe)
  std::uint64_t file_bytes = 0;   // written to the file (differs from bytes behind a transform)
  std::unique_ptr<BodyTransform> transform;  // this attempt's, when the download has one
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
    local_errno = 0;
    errbuf[0] = 0;
  }
  void report_bytes(std::uint64_t n) {
    reported += n;
    if (observer && observer->on_bytes) observer->on_bytes(n);
  }
  // The attempt will resend from `offset`: what was reported beyond it is taken back.
  void rewind_to(std::uint64_t offset) {
    if (reported <= offset) return;
    if (observer && observer->on_rewind) observer->on_rewind(reported - offset);
    reported = offset;
  }
};


// libcurl callbacks; userdata is the Slot.
std::size_t on_header(char* p, std::size_t sz, std::size_t n, void* ud);
std::size_t on_body_text(char* p, std::size_t sz, std::size_t n, void* ud);

struct Verdict {
  enum Kind { kOk, kRetry, kFail, kFatal } kind = kOk;
  std::string why;
  ApiError api;
  std::exception_ptr fatal;  // kFatal: what run() throws after stopping every transfer
};

bool is_disk_full(int err);  // ENOSPC, EDQUOT
// A local file operation that failed with err: a full disk stops everything (kFatal with a
// std::system_error naming the file), anything else fails this object only.
Verdict local_failure(int err, const std::string& what, const std::filesystem::path& p);


// The loop shared by downloads and uploads; subclasses say how to start and finish one job.
class TransferLoop {
 public:
  TransferLoop(const StorageConfig& cfg, std::size_t jobs, const TransferObserver& obs)
      : cfg_(cfg), observer_(obs), attempts_(jobs, 0), first_try_(jobs), policy_{cfg.max_retries,
                                                                 std::chrono::milliseconds(cfg.retry_base_ms),
                                                                 std::chrono::milliseconds(cfg.retry_max_ms)} {
    append_auth_headers(auth_, cfg.service_key);
    auth_.append("Expect:");
  }
  virtual ~TransferLoop() = default;

  void run(std::size_t jobs);

 protected:
  // nullopt when the transfer is ready to go; else why it cannot start (kFail or kFatal).
  virtual std::optional<Verdict> start(Slot& s, std::size_t job) = 0;
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
  std::vector<std::chrono::steady_clock::time_point> first_try_;
  RetryPolicy policy_;
};



}  // namespace crm::storage::detail
