#pragma once
// Turns SIGINT/SIGTERM/SIGHUP into an orderly abort: the signals are blocked in every thread
// and a watcher thread receives them, runs the cleanup (remove the unfinished set, cancel
// queries), prints what happened and exits with 128+signal. Construct it before starting any
// worker thread so the workers inherit the blocked mask.
#include <atomic>
#include <functional>
#include <signal.h>
#include <string>
#include <thread>

namespace crm::engine {

class InterruptGuard {
 public:
  using Cleanup = std::function<void(int signo)>;
  explicit InterruptGuard(Cleanup cleanup);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void watch();
  Cleanup cleanup_;
  sigset_t set_{};
  sigset_t old_{};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace crm::engine
