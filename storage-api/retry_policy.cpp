#include "storage-api/retry_policy.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include <fmt/format.h>

namespace crm::storage {

bool RetryPolicy::retryable_status(const ApiError& e) {
  for (long s : {e.http_status, e.effective_status()}) {
    if (s == 408 || s == 429 || (s >= 500 && s <= 599)) return true;
  }
  return false;
}

bool RetryPolicy::retryable_curl(int code) {
  switch (static_cast<CURLcode>(code)) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SEND_FAIL_REWIND:
    case CURLE_WEIRD_SERVER_REPLY:
      return true;
    default:
      return false;
  }
}

std::chrono::milliseconds RetryPolicy::delay(int retry, std::optional<std::chrono::milliseconds> retry_after,
                                             std::uint64_t random) const {
  int shift = std::clamp(retry - 1, 0, 20);
  std::int64_t ceiling = std::min<std::int64_t>(base.count() << shift, max.count());
  // "Equal jitter": half fixed, half random, so waits grow but clients do not retry in lockstep.
  std::int64_t half = ceiling / 2;
  std::int64_t wait = half + (half > 0 ? static_cast<std::int64_t>(random % static_cast<std::uint64_t>(half + 1)) : 0);
  if (retry_after) wait = std::max<std::int64_t>(wait, std::min<std::int64_t>(retry_after->count(), max.count()));
  return std::chrono::milliseconds(wait);
}

std::string gave_up_note(int attempts, std::chrono::steady_clock::duration spent, int max_retries) {
  return fmt::format(" (gave up after {} attempt{} in {:.1f} s; --retries {})", attempts, attempts == 1 ? "" : "s",
                     std::chrono::duration<double>(spent).count(), max_retries);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
  long seconds = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || p != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(seconds * 1000);
}

}  // namespace crm::storage
