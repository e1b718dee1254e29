#pragma once
// When and how long to wait before trying a Storage request again: 408, 429 and 5xx, dropped
// connections and short bodies are retried with exponential backoff and jitter, a bounded
// number of times; Retry-After is honoured (capped).
#include <chrono>
#include <cstdint>
#include <optional>

#include "storage-api/errors.hpp"

namespace crm::storage {

struct RetryPolicy {
  int max_retries = 6;
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds max{10000};

  static bool retryable_status(const ApiError& e);
  static bool retryable_curl(int curl_code);
  // Wait before retry number `retry` (1 = first retry); `random` supplies the jitter.
  std::chrono::milliseconds delay(int retry, std::optional<std::chrono::milliseconds> retry_after,
                                  std::uint64_t random) const;
};

// Parses a Retry-After header (seconds only; HTTP dates are ignored).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace crm::storage
