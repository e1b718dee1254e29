#pragma once
// Turns SIGINT/SIGTERM/SIGHUP into an orderly stop. Construct it FIRST, before any thread is
// started and before anything exists that a signal must not leave behind (a staging folder, a
// transaction): the signals are then blocked in this thread and in every thread started later,
// and only the guard's watcher thread receives them, so none can take the default action
// (kill the process) while cleanup is pending.
//
// When a signal arrives the watcher prints one line, records the signal and runs the
// registered cancel actions (PQcancel of the running statements), again every 100 ms: a cancel
// request that reaches the server between two statements cancels nothing. The work then fails
// on the main thread, which unwinds normally (RAII removes what it made, rolls back, closes
// connections) and turns the failure into InterruptedError (throw_if_interrupted). Should the
// main thread not come back within the grace period (blocked somewhere no cancel reaches), or
// on a second signal, the watcher runs the registered last-resort cleanups, prints the note and
// exits with 128+signal.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <signal.h>
#include <string>
#include <thread>

namespace crm::engine {

class InterruptGuard {
 public:
  // note: what the last-resort exit prints (e.g. "the unfinished backup was removed").
  explicit InterruptGuard(std::string note, std::chrono::milliseconds grace = std::chrono::milliseconds(3000));
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Unregisters its action on destruction (waiting for a run in progress), so an action never
  // outlives what it refers to: declare it right after the resource.
  class Registration {
   public:
    Registration(InterruptGuard* g, std::uint64_t id) : guard_(g), id_(id) {}
    Registration(Registration&& o) noexcept : guard_(o.guard_), id_(o.id_) { o.guard_ = nullptr; }
    Registration& operator=(Registration&&) = delete;
    Registration(const Registration&) = delete;
    ~Registration();

   private:
    InterruptGuard* guard_;
    std::uint64_t id_;
  };

  // Runs on the watcher thread when a signal arrives and every 100 ms after; must be
  // thread-safe with respect to the main thread (CancelHandle::cancel is).
  [[nodiscard]] Registration on_signal(std::function<void()> cancel);
  // Runs on the watcher thread only before the last-resort exit.
  [[nodiscard]] Registration before_forced_exit(std::function<void()> cleanup);
  // Replaces the note of the last-resort exit (the state changes as the work goes on).
  void set_note(std::string note);

  // The signal received, 0 when none.
  int signal_number() const noexcept { return signo_.load(); }
  // Throws InterruptedError("<message> (interrupted by SIGTERM)") when a signal arrived.
  void throw_if_interrupted(const std::string& message) const;

  static const char* signal_name(int signo) noexcept;

 private:
  void watch();
  void run_actions(std::map<std::uint64_t, std::function<void()>>& actions);
  std::uint64_t add(std::map<std::uint64_t, std::function<void()>>& to, std::function<void()> fn);
  void remove(std::uint64_t id);

  std::chrono::milliseconds grace_;
  sigset_t set_{};
  sigset_t old_{};
  int signal_fd_ = -1;  // reads the blocked signals
  int wake_fd_ = -1;    // eventfd: the destructor wakes the watcher through it
  std::atomic<bool> stop_{false};
  std::atomic<int> signo_{0};
  std::mutex mu_;  // guards the actions and the note; held while actions run
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::function<void()>> cancels_;
  std::map<std::uint64_t, std::function<void()>> cleanups_;
  std::string note_;
  std::thread thread_;
};

}  // namespace crm::engine
