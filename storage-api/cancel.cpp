#include "storage-api/cancel.hpp"

#include <algorithm>
#include <string>
#include <thread>

#include "storage-api/errors.hpp"

namespace crm::storage {

namespace {

int on_progress(void* clientp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cfg = static_cast<const StorageConfig*>(clientp);
  return cancel_requested(*cfg) ? 1 : 0;  // non-zero aborts the transfer
}

}  // namespace

bool cancel_requested(const StorageConfig& cfg) { return cfg.cancelled && cfg.cancelled(); }

void throw_if_cancelled(const StorageConfig& cfg, std::string_view context) {
  if (cancel_requested(cfg)) throw StorageError(ErrorKind::kCancelled, std::string(context) + ": cancelled");
}

void abort_transfer_on_cancel(CURL* h, const StorageConfig& cfg) {
  if (!cfg.cancelled) return;
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<StorageConfig*>(&cfg));
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
}

void cancellable_sleep(const StorageConfig& cfg, std::chrono::milliseconds wait, std::string_view context) {
  auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    throw_if_cancelled(cfg, context);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
  }
}

}  // namespace crm::storage
