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

// restore/verify refusing a set whose files do not match its manifest (or lack a part).
struct DamagedSetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The set is encrypted and no passphrase is configured (--passphrase-file,
// CRMBACKUP_PASSPHRASE_FILE, CRMBACKUP_PASSPHRASE). Exit code 5, JSON code `passphrase_required`;
// a wrong one is crypto::WrongPassphraseError (exit code 5, `wrong_passphrase`).
struct PassphraseRequiredError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace crm::engine
