#pragma once
// Keeps the restore's lock_timeout in force while the set's scripts run: they start with
// `SET lock_timeout = 0` and end with `RESET ALL` (as pg_dump's files do), which would lift the
// limit and let the next DROP/TRUNCATE/ALTER wait forever behind another session.
#include <chrono>
#include <functional>

#include "pgwire/connection.hpp"
#include "pgwire/script/script_executor.hpp"

namespace crm::engine {

class LockLimit {
 public:
  using Hook = std::function<pg::StatementAction(pg::ScriptStatement&)>;
  // Sets the limit at once; 0 ms leaves the session's setting alone (no limit asked for).
  LockLimit(pg::Connection& conn, std::chrono::milliseconds limit);
  // The hook, plus: a statement that may change lock_timeout runs, and the limit is set again
  // before the next one.
  Hook wrap(Hook inner);
  // Sets the limit again if a script may have changed it (call before statements run outside
  // a wrapped script).
  void restore();
  // For statements run outside a wrapped script: remembers that one may have changed the limit.
  void note(std::string_view statement);

 private:
  pg::Connection& conn_;
  std::chrono::milliseconds limit_;
  bool dirty_ = false;
};

// True for SET/RESET statements (and set_config calls) that can change lock_timeout.
bool changes_lock_timeout(std::string_view statement);

}  // namespace crm::engine
