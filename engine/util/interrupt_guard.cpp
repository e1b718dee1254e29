#include "engine/util/interrupt_guard.hpp"

#include <unistd.h>

#include <cstring>
#include <ctime>

namespace crm::engine {

InterruptGuard::InterruptGuard(Cleanup cleanup) : cleanup_(std::move(cleanup)) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
  thread_ = std::thread([this] { watch(); });
}

InterruptGuard::~InterruptGuard() {
  stop_ = true;
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

void InterruptGuard::watch() {
  timespec tick{0, 100 * 1000 * 1000};
  while (!stop_) {
    int sig = sigtimedwait(&set_, nullptr, &tick);
    if (sig <= 0) continue;
    const char* name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
    std::string msg = std::string("\nInterrupted (") + name + "): removing the unfinished backup...\n";
    if (::write(2, msg.data(), msg.size()) < 0) { /* nothing more to do */ }
    cleanup_(sig);
    const char done[] = "Nothing was left behind; older backups are untouched.\n";
    if (::write(2, done, sizeof done - 1) < 0) { /* nothing more to do */ }
    ::_exit(128 + sig);
  }
}

}  // namespace crm::engine
