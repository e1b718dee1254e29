#pragma once
// When and how long to wait before trying a Storage request again: 408, 429 and 5xx, dropped
// connections and short bodies are retried with exponential backoff and jitter, a bounded
// number of times; Retry-After is honoured (capped).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

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

// Why a request that kept failing was given up, for the end of its error message:
// " (gave up after 7 attempts in 12.6 s; --retries 6)". Every Storage request (bucket check,
// listing, info, transfers, deletes) uses the same policy and says the same.
std::string gave_up_note(int attempts, std::chrono::steady_clock::duration spent, int max_retries);

// Parses a Retry-After header (seconds only; HTTP dates are ignored).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace crm::storage
