#pragma once
#include <stdexcept>
#include <string>

namespace crm::engine {

// Bad input the user can fix (flags, BACKUP_DIR, prefix ...): exit code 2 at the CLI.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A lock the work needed was not granted within --lock-timeout (SQLSTATE 55P03 on the server).
// The message names the object and, when it could be read, the session that held the lock;
// whatever the command had started was rolled back. Exit code 1, JSON code `lock_timeout`.
struct LockTimeoutError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SIGINT/SIGTERM/SIGHUP stopped the command after its server work was cancelled and what it
// had started was undone (the message says what). Exit code 128+signal, JSON code `interrupted`.
class InterruptedError : public std::runtime_error {
 public:
  InterruptedError(int signo, const std::string& message) : std::runtime_error(message), signo_(signo) {}
  int signal_number() const { return signo_; }

 private:
  int signo_;
};

}  // namespace crm::engine
