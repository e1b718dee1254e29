#include "engine/db_lock_wait.hpp"

#include <algorithm>

#include "engine/errors.hpp"
#include "engine/format/human.hpp"
#include "pgwire/error.hpp"

namespace crm::engine {
namespace {

using Clock = std::chrono::steady_clock;

// Only the catalogs: no lock is taken, and every value arrives as a parameter.
constexpr const char* kLockWaitQuery =
    "SELECT w.locktype, w.mode, rel.name AS relation, "
    "pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - me.query_start)::float8 AS waited, "
    "b.pid AS blocker, b.application_name, "
    "CASE WHEN b.pid IS NULL THEN NULL WHEN b.client_addr IS NULL THEN 'local socket' "
    "ELSE pg_catalog.host(b.client_addr) END AS client, b.state, "
    "pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - b.xact_start)::float8 AS xact_age "
    "FROM (SELECT l.locktype, l.mode, l.relation FROM pg_catalog.pg_locks l "
    "      WHERE l.pid = $1::int4 AND NOT l.granted LIMIT 1) w "
    "JOIN pg_catalog.pg_stat_activity me ON me.pid = $1::int4 "
    "LEFT JOIN LATERAL (SELECT n.nspname || '.' || c.relname AS name FROM pg_catalog.pg_class c "
    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = w.relation) rel ON true "
    "LEFT JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids($1::int4)) AS bp(pid) ON true "
    "LEFT JOIN pg_catalog.pg_stat_activity b ON b.pid = bp.pid "
    "ORDER BY b.xact_start NULLS LAST, b.pid";

std::string seconds_text(double s) { return format_duration(std::max(0.0, s)); }

bool same_blockers(const LockWait& a, const LockWait& b) {
  if (a.object != b.object || a.blockers.size() != b.blockers.size()) return false;
  for (size_t i = 0; i < a.blockers.size(); ++i)
    if (a.blockers[i].pid != b.blockers[i].pid || a.blockers[i].state != b.blockers[i].state) return false;
  return true;
}

}  // namespace

std::string describe_lock_wait(const LockWait& w) {
  std::string s = w.object + " (" + w.mode + ")";
  if (w.blockers.empty()) return s + ", held by a session this role cannot see";
  s += ", held by ";
  for (size_t i = 0; i < w.blockers.size(); ++i) {
    const auto& b = w.blockers[i];
    if (i) s += "; and by ";
    s += "pid " + std::to_string(b.pid) + " (application \"" + b.application_name + "\", client " +
         (b.client.empty() ? "unknown" : b.client) + ", " + (b.state.empty() ? "state unknown" : b.state);
    if (b.transaction_seconds) s += ", transaction open for " + seconds_text(*b.transaction_seconds);
    s += ")";
  }
  return s;
}

std::optional<LockWait> read_lock_wait(pg::Connection& side, int waiting_pid) {
  auto r = side.exec_params(kLockWaitQuery, {std::to_string(waiting_pid)});
  if (r.rows() == 0) return std::nullopt;
  LockWait w;
  std::string rel(r.get(0, "relation"));
  w.object = !rel.empty() ? "table " + rel : std::string(r.get(0, "locktype")) + " lock";
  w.mode = std::string(r.get(0, "mode"));
  if (!r.is_null(0, r.column("waited"))) w.waited_seconds = std::stod(std::string(r.get(0, "waited")));
  for (int i = 0; i < r.rows(); ++i) {
    if (r.is_null(i, r.column("blocker"))) continue;
    LockBlocker b;
    b.pid = std::stoi(std::string(r.get(i, "blocker")));
    b.application_name = std::string(r.get(i, "application_name"));
    b.client = std::string(r.get(i, "client"));
    b.state = std::string(r.get(i, "state"));
    if (!r.is_null(i, r.column("xact_age"))) b.transaction_seconds = std::stod(std::string(r.get(i, "xact_age")));
    w.blockers.push_back(std::move(b));
  }
  return w;
}

void set_lock_timeout(pg::Connection& conn, std::chrono::milliseconds limit) {
  conn.exec_params("SELECT pg_catalog.set_config('lock_timeout', $1, false)",
                   {std::to_string(limit.count()) + "ms"});
}

LockWaitWatcher::LockWaitWatcher(const pg::ConnectOptions& side, const pg::Connection& watched,
                                 std::chrono::milliseconds limit, Report report)
    : side_opts_(side), watched_(watched), pid_(watched.backend_pid()), limit_(limit), report_(std::move(report)) {
  // The side connection must never be what hangs: libpq's shortest connect timeout.
  side_opts_.connect_timeout_seconds = std::min(side_opts_.connect_timeout_seconds, 3);
  thread_ = std::thread([this] { run(); });
}

LockWaitWatcher::~LockWaitWatcher() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::optional<LockWait> LockWaitWatcher::last() const {
  std::lock_guard lk(mu_);
  return last_;
}

void LockWaitWatcher::run() {
  // First look after a few seconds, but early enough in a short --lock-timeout that the error
  // at the limit can still name the blocker; then every couple of seconds.
  const Clock::duration third = limit_.count() > 0 ? Clock::duration(limit_ / 3) : Clock::duration(std::chrono::seconds(3));
  const auto first = std::min<Clock::duration>(std::chrono::seconds(3), third);
  const auto every = std::min<Clock::duration>(std::chrono::seconds(2), third);
  const auto repeat_report = std::chrono::seconds(10);
  std::optional<pg::Connection> side;
  std::optional<Clock::time_point> statement;  // start of the statement being watched
  Clock::time_point next_poll{}, last_report{}, retry_connect{};
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, std::chrono::milliseconds(100));
    if (stop_) break;
    auto since = watched_.busy_since();
    auto now = Clock::now();
    if (since != statement) {  // another statement (or none): what was seen no longer applies
      statement = since;
      if (since) last_.reset();
      next_poll = since ? *since + first : Clock::time_point{};
    }
    if (!since) {
      side.reset();  // short-lived: only while a statement waits
      continue;
    }
    if (now < next_poll || now < retry_connect) continue;
    next_poll = now + every;
    std::optional<LockWait> seen;
    std::string line;
    lk.unlock();
    try {
      if (!side) {
        side.emplace(pg::Connection::open(side_opts_));
        side->exec("SET statement_timeout = '3s'; SET lock_timeout = '1s'; SET idle_in_transaction_session_timeout = '10s'");
      }
      seen = read_lock_wait(*side, pid_);
    } catch (const std::exception&) {
      side.reset();  // the description is a courtesy: never let it fail the work
      retry_connect = now + std::chrono::seconds(5);
    }
    lk.lock();
    if (stop_) break;
    if (!seen) {
      if (watched_.busy_since() == statement) last_.reset();
      continue;
    }
    bool changed = !last_ || !same_blockers(*last_, *seen);
    last_ = seen;
    if (report_ && (changed || now - last_report >= repeat_report)) {
      last_report = now;
      line = "Waiting " + seconds_text(seen->waited_seconds) + " for a lock on " + describe_lock_wait(*seen) +
             "; giving up after " + seconds_text(std::chrono::duration<double>(limit_).count()) + " (--lock-timeout)";
      lk.unlock();
      report_(line);
      lk.lock();
    }
  }
  lk.unlock();
  side.reset();
}

void rethrow_if_lock_timeout(const std::exception& e, const LockWaitWatcher& watcher, const std::string& doing,
                             const std::string& undone) {
  const std::string advice = " End that session (or wait until it finishes) and run the command again, or give it "
                             "more time with --lock-timeout.";
  auto seen = watcher.last();
  if (dynamic_cast<const LockTimeoutError*>(&e))  // already typed by the step that waited
    throw LockTimeoutError(doing + ": " + e.what() + (seen ? ": " + describe_lock_wait(*seen) : std::string()) +
                           ". " + undone + advice);
  const auto* pe = dynamic_cast<const pg::PgError*>(&e);
  if (!pe || pe->sqlstate() != "55P03") return;
  std::string limit = format_duration(std::chrono::duration<double>(watcher.limit()).count());
  std::string what = seen ? describe_lock_wait(*seen)
                          : "another session holds a conflicting lock (" + pe->server_message() + ")";
  throw LockTimeoutError(doing + ": gave up waiting for a lock after " + limit + " (--lock-timeout): " + what + ". " +
                         undone + advice);
}

}  // namespace crm::engine
