#pragma once
// Lock waits a user can act on. The work's own connection runs with `lock_timeout` (so a wait
// ends with SQLSTATE 55P03 instead of never); while one of its statements has been waiting for
// a few seconds, a watcher thread asks the server, over a second short-lived connection with
// its own timeouts, what it waits for: the table (pg_locks), and for each blocking session
// (pg_blocking_pids) its pid, application_name, client address, state and how long its
// transaction has been open (pg_stat_activity). The line is reported while the wait goes on and
// named again in the LockTimeoutError when the limit is reached.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pgwire/connection.hpp"

namespace crm::engine {

struct LockBlocker {
  int pid = 0;
  std::string application_name;
  std::string client;  // address, or "local socket"
  std::string state;   // "idle in transaction" ...
  std::optional<double> transaction_seconds;
};

struct LockWait {
  std::string object;  // "table public.contacts", or the lock type ("transactionid")
  std::string mode;    // what was asked for: "AccessExclusiveLock"
  double waited_seconds = 0;
  std::vector<LockBlocker> blockers;
};

// "table public.contacts (AccessExclusiveLock), held by pid 4242 (application "psql", client
// 127.0.0.1, idle in transaction, transaction open for 1m 05s)"
std::string describe_lock_wait(const LockWait& w);

// What the session waiting_pid waits for, or nullopt when it waits for no lock.
std::optional<LockWait> read_lock_wait(pg::Connection& side, int waiting_pid);

// SET lock_timeout on conn (session level, so it also holds outside the transaction).
void set_lock_timeout(pg::Connection& conn, std::chrono::milliseconds limit);

class LockWaitWatcher {
 public:
  using Report = std::function<void(const std::string& line)>;
  // Watches `watched` (which must outlive the watcher) and reports on the watcher's thread.
  LockWaitWatcher(const pg::ConnectOptions& side, const pg::Connection& watched, std::chrono::milliseconds limit,
                  Report report);
  // Stops the thread and closes the second connection.
  ~LockWaitWatcher();
  LockWaitWatcher(const LockWaitWatcher&) = delete;
  LockWaitWatcher& operator=(const LockWaitWatcher&) = delete;

  // The last wait seen during the current (or just failed) statement.
  std::optional<LockWait> last() const;
  std::chrono::milliseconds limit() const { return limit_; }

 private:
  void run();

  pg::ConnectOptions side_opts_;
  const pg::Connection& watched_;
  int pid_;
  std::chrono::milliseconds limit_;
  Report report_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::optional<LockWait> last_;
  std::thread thread_;
};

// Rethrows e as LockTimeoutError when it is a lock timeout (SQLSTATE 55P03): "<doing>: no lock
// within <limit> on <what the watcher saw>. <undone>" and a hint; otherwise does nothing.
void rethrow_if_lock_timeout(const std::exception& e, const LockWaitWatcher& watcher, const std::string& doing,
                             const std::string& undone);

}  // namespace crm::engine
