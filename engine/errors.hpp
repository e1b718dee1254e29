#pragma once
// The engine's own error types. Each says what the user (or a script) can do about it; the
// CLI maps them, together with pg::PgError, storage::StorageError and std::system_error, to a
// stable code and exit code in one place (engine/cli/error_report.cpp).
#include <stdexcept>
#include <string>

namespace crm::engine {

// Bad input the user can fix (flags, BACKUP_DIR, prefix ...): exit code 2 at the CLI.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A lock the work needed was not granted within --lock-timeout: nothing was changed.
struct LockTimeoutError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SIGINT/SIGTERM/SIGHUP stopped the work after it was undone: exit code 128 + signo.
struct InterruptedError : std::runtime_error {
  InterruptedError(const std::string& what, int signal_number) : std::runtime_error(what), signo(signal_number) {}
  int signo;
};

// restore/verify refusing a set whose files do not match its manifest (or lack a part).
struct DamagedSetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace crm::engine
