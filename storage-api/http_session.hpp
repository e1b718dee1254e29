#pragma once
// Synchronous JSON requests (listing, buckets, batch deletes) on one keep-alive handle, with the
// retry policy applied to transport failures and 408/429/5xx answers.
#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "storage-api/config.hpp"
#include "storage-api/curl_handles.hpp"
#include "storage-api/retry_policy.hpp"

namespace crm::storage {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;
  // Set when the answer is a retryable failure that --retries ran out on: gave_up_note().
  std::string gave_up;
  bool ok() const { return status >= 200 && status < 300; }
};

class HttpSession {
 public:
  explicit HttpSession(const StorageConfig& cfg);

  // The final answer, whatever its status, once it is not worth retrying (config().max_retries
  // retries with the policy's backoff, each announced through config().warn). Throws
  // StorageError (kTransport) when no answer came after the retries; context names the operation.
  HttpResponse call(std::string_view method, const std::string& url, const std::string* json_body,
                    std::string_view context);

  const StorageConfig& config() const { return cfg_; }
  RetryPolicy policy() const;

 private:
  void announce_retry(std::string_view context, const std::string& why, int retry, std::chrono::milliseconds wait) const;
  HttpResponse once(std::string_view method, const std::string& url, const std::string* json_body, CURLcode& rc);

  StorageConfig cfg_;
  Easy easy_;
  SList headers_;
  char errbuf_[CURL_ERROR_SIZE] = {};
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace crm::storage
