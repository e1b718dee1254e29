#include "engine/util/interrupt_guard.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "engine/errors.hpp"

namespace crm::engine {
namespace {

void say(const std::string& text) {
  // The watcher may run while the main thread is inside iostreams: one write(2) per line.
  if (::write(2, text.data(), text.size()) < 0) { /* nowhere left to report */ }
}

}  // namespace

const char* InterruptGuard::signal_name(int signo) noexcept {
  return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : signo == SIGHUP ? "SIGHUP" : "a signal";
}

InterruptGuard::InterruptGuard(std::string note, std::chrono::milliseconds grace)
    : grace_(grace), note_(std::move(note)) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
  // The watcher polls a signalfd and an eventfd, so the destructor wakes it at once (a plain
  // sigtimedwait would keep every command's exit waiting for its next tick).
  signal_fd_ = ::signalfd(-1, &set_, SFD_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (signal_fd_ < 0 || wake_fd_ < 0) {
    int err = errno;
    if (signal_fd_ >= 0) ::close(signal_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    throw std::runtime_error(std::string("cannot watch for signals (signalfd/eventfd): ") + std::strerror(err));
  }
  thread_ = std::thread([this] { watch(); });
}

InterruptGuard::~InterruptGuard() {
  stop_ = true;
  std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) { /* the watcher still sees stop_ at its next tick */ }
  thread_.join();
  ::close(signal_fd_);
  ::close(wake_fd_);
  // A signal that arrives from here on takes its default action: by now everything this guard
  // protected has been released by its owners.
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

InterruptGuard::Registration::~Registration() {
  if (guard_) guard_->remove(id_);
}

std::uint64_t InterruptGuard::add(std::map<std::uint64_t, std::function<void()>>& to, std::function<void()> fn) {
  std::lock_guard lk(mu_);
  std::uint64_t id = next_id_++;
  to.emplace(id, std::move(fn));
  return id;
}

void InterruptGuard::remove(std::uint64_t id) {
  std::lock_guard lk(mu_);
  cancels_.erase(id);
  cleanups_.erase(id);
}

InterruptGuard::Registration InterruptGuard::on_signal(std::function<void()> cancel) {
  std::uint64_t id = add(cancels_, std::move(cancel));
  if (signo_.load()) {  // registered after the signal: cancel at once rather than at the next tick
    std::lock_guard lk(mu_);
    cancels_.at(id)();
  }
  return Registration(this, id);
}

InterruptGuard::Registration InterruptGuard::before_forced_exit(std::function<void()> cleanup) {
  return Registration(this, add(cleanups_, std::move(cleanup)));
}

void InterruptGuard::set_note(std::string note) {
  std::lock_guard lk(mu_);
  note_ = std::move(note);
}

void InterruptGuard::throw_if_interrupted(const std::string& message) const {
  int sig = signo_.load();
  if (sig) throw InterruptedError(sig, message + " (interrupted by " + signal_name(sig) + ")");
}

void InterruptGuard::run_actions(std::map<std::uint64_t, std::function<void()>>& actions) {
  // Newest first: a connection registered after the folder it writes into is cancelled first.
  for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
    try {
      it->second();
    } catch (...) {
      // An action that fails must not stop the others (nor the exit).
    }
  }
}

void InterruptGuard::watch() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point deadline{};
  while (!stop_) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int sig = 0;
    if (::poll(fds, 2, 100) > 0 && (fds[0].revents & POLLIN)) {
      signalfd_siginfo info{};
      if (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) sig = static_cast<int>(info.ssi_signo);
    }
    if (sig > 0) {
      if (signo_.load() == 0) {
        signo_ = sig;
        deadline = Clock::now() + grace_;
        say(std::string("\nInterrupted (") + signal_name(sig) + "): cancelling the running work...\n");
      } else {
        deadline = Clock::now();  // a second signal: the user does not want to wait
      }
    }
    if (!signo_.load() || stop_) continue;
    std::lock_guard lk(mu_);
    run_actions(cancels_);
    if (Clock::now() < deadline) continue;
    run_actions(cleanups_);
    say("Stopped without waiting for the work to unwind: " + note_ + "\n");
    ::_exit(128 + signo_.load());
  }
}

}  // namespace crm::engine
