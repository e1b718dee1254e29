#include "engine/repo/parallel_transfers.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace crm::engine::repo {

void run_transfers(const s3::S3Config& cfg, std::size_t items, int workers,
                   const std::function<void(s3::Client& client, std::size_t item)>& transfer) {
  if (items == 0) return;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first;
  std::mutex mu;
  auto work = [&] {
    try {
      // Parts of a multipart upload run on transports of their own: one in flight per worker here.
      s3::S3Config own = cfg;
      own.transfers = 1;
      s3::Client client(own);
      for (std::size_t i; !failed && (i = next++) < items;) transfer(client, i);
    } catch (...) {
      std::lock_guard lk(mu);
      if (!first) first = std::current_exception();
      failed = true;
    }
  };
  std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, workers)), items);
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < n; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

}  // namespace crm::engine::repo
