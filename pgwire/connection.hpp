#pragma once
// One RAII libpq connection. Every call either succeeds or throws PgError with context;
// nothing returns a half-success.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgwire/conninfo.hpp"
#include "pgwire/error.hpp"
#include "pgwire/result.hpp"

struct pg_conn;
struct pg_cancel;

namespace crm::pg {

// Receives COPY TO STDOUT payload in chunks that always end on a row boundary.
using CopyChunkSink = std::function<void(std::string_view chunk)>;
// Fills the buffer with the next COPY FROM STDIN bytes; returns 0 at the end.
using CopySource = std::function<size_t(char* buf, size_t cap)>;

// A message the server sent besides a result (NOTICE, WARNING, INFO ...), e.g.
// `policy "x" for relation "y" does not exist, skipping`.
struct Notice {
  std::string severity;  // not localized: NOTICE, WARNING, INFO, DEBUG, LOG
  std::string message;   // the primary message, without the severity and the trailing newline
};
using NoticeHandler = std::function<void(const Notice&)>;

struct CopyOutStats {
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
};

// A prepared cancel request for one connection. cancel() only uses what was captured when the
// handle was made, so another thread (a signal watcher) may call it while the connection's
// owner is blocked in a query; the handle must not outlive the connection's backend session
// being meaningful (it is harmless afterwards: the server ignores an unknown key).
class CancelHandle {
 public:
  CancelHandle() = default;
  explicit CancelHandle(pg_cancel* c) : cancel_(c) {}
  CancelHandle(CancelHandle&&) noexcept = default;
  CancelHandle& operator=(CancelHandle&&) noexcept = default;
  // Asks the server to cancel whatever the connection runs now; false when the request could
  // not be sent. A request that arrives between two statements cancels nothing.
  bool cancel() const noexcept;

 private:
  struct Deleter {
    void operator()(pg_cancel* c) const;
  };
  std::unique_ptr<pg_cancel, Deleter> cancel_;
};

class Connection {
 public:
  static Connection open(const ConnectOptions& opts);
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  ~Connection();

  Result exec(std::string_view sql);
  Result exec_params(std::string_view sql, const std::vector<std::optional<std::string>>& params);

  // Streams "COPY ... TO STDOUT" into sink, batching rows into chunks of about chunk_bytes.
  // Throws when the server reports an error or the connection drops: a short stream is never
  // reported as success.
  CopyOutStats copy_out(std::string_view copy_sql, const CopyChunkSink& sink,
                        size_t chunk_bytes = 1 << 20);

  // Runs "COPY ... FROM STDIN" and feeds it from source until it returns 0.
  // Returns the number of rows the server reports.
  std::uint64_t copy_in(std::string_view copy_sql, const CopySource& source);

  // Low-level COPY FROM STDIN, for callers that produce the data incrementally (the SQL
  // executor): begin, put many times, end (or abort with a message).
  void copy_in_begin(std::string_view copy_sql);
  void copy_in_put(std::string_view data);
  std::uint64_t copy_in_end();
  void copy_in_abort(const std::string& reason);

  // Where the server's notices go. libpq would print them on stderr, between the tool's own
  // lines; instead the caller decides (a restore shows them only with --verbose). Without a
  // handler they are dropped. Returns the previous handler. Not thread-safe: set it from the
  // thread that uses the connection.
  NoticeHandler set_notice_handler(NoticeHandler handler);

  // Asks the server to cancel the running query; safe to call from another thread.
  void cancel() const;
  // A cancel request prepared now, for a thread that must not touch this object later.
  CancelHandle cancel_handle() const;

  // The server process serving this connection (pg_stat_activity.pid).
  int backend_pid() const;

  // While a call waits for the server, the steady-clock time it started; otherwise nullopt.
  // Readable from any thread: a watcher uses it to notice a statement that waits long.
  std::optional<std::chrono::steady_clock::time_point> busy_since() const;
  // Marks the connection busy for code that drives libpq directly (pipelines).
  class BusyScope {
   public:
    explicit BusyScope(const Connection& c);
    ~BusyScope();
    BusyScope(const BusyScope&) = delete;
    BusyScope& operator=(const BusyScope&) = delete;

   private:
    std::atomic<std::int64_t>* since_;
    bool outer_;
  };

  int server_version() const;  // e.g. 150004
  std::string database() const;
  std::string user() const;
  pg_conn* raw() const { return conn_.get(); }

 private:
  struct Deleter {
    void operator()(pg_conn* c) const;
  };
  explicit Connection(pg_conn* c);
  Result checked(pg_result* res, std::string_view sql);

  // On the heap so the address libpq holds stays valid when the Connection moves.
  std::unique_ptr<NoticeHandler> notice_;
  std::unique_ptr<pg_conn, Deleter> conn_;
  // Nanoseconds since the steady clock's epoch when the current call started, 0 when idle.
  // Behind a pointer so the connection stays movable.
  std::unique_ptr<std::atomic<std::int64_t>> busy_since_ = std::make_unique<std::atomic<std::int64_t>>(0);
};

// Routes a connection's notices to a handler for a scope, then puts the previous one back.
class ScopedNoticeHandler {
 public:
  ScopedNoticeHandler(Connection& conn, NoticeHandler handler)
      : conn_(conn), previous_(conn.set_notice_handler(std::move(handler))) {}
  ScopedNoticeHandler(const ScopedNoticeHandler&) = delete;
  ScopedNoticeHandler& operator=(const ScopedNoticeHandler&) = delete;
  ~ScopedNoticeHandler() { conn_.set_notice_handler(std::move(previous_)); }

 private:
  Connection& conn_;
  NoticeHandler previous_;
};

// Rolls back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& conn, std::string_view begin_sql = "BEGIN");
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& conn_;
  bool open_ = true;
};

}  // namespace crm::pg
