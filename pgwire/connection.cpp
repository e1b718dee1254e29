#include "pgwire/connection.hpp"

#include <libpq-fe.h>

#include <string>

namespace crm::pg {
namespace {

std::string excerpt(std::string_view sql) {
  std::string s(sql.substr(0, 120));
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  if (sql.size() > 120) s += "...";
  return s;
}

void receive_notice(void* arg, const PGresult* res) {
  const auto* handler = static_cast<const NoticeHandler*>(arg);
  if (!handler || !*handler) return;
  const char* sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (!sev) sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
  const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  Notice n{sev ? sev : "NOTICE", msg ? msg : ""};
  if (!msg) {  // not from the server (libpq's own): the whole text
    n.message = PQresultErrorMessage(res);
    while (!n.message.empty() && n.message.back() == '\n') n.message.pop_back();
  }
  try {
    (*handler)(n);
  } catch (...) {
    // A notice is informational: a failing handler must not unwind through libpq.
  }
}

}  // namespace

void Connection::Deleter::operator()(pg_conn* c) const { PQfinish(c); }

Connection::Connection(pg_conn* c) : notice_(std::make_unique<NoticeHandler>()), conn_(c) {
  if (c) PQsetNoticeReceiver(c, receive_notice, notice_.get());
}

NoticeHandler Connection::set_notice_handler(NoticeHandler handler) {
  NoticeHandler previous = std::move(*notice_);
  *notice_ = std::move(handler);
  return previous;
}
Connection::~Connection() = default;

Connection Connection::open(const ConnectOptions& opts) {
  std::string timeout = std::to_string(opts.connect_timeout_seconds);
  std::vector<const char*> keys, values;
  if (!opts.target.empty()) {
    keys.push_back("dbname");
    values.push_back(opts.target.c_str());
  }
  keys.push_back("connect_timeout");
  values.push_back(timeout.c_str());
  keys.push_back("application_name");
  values.push_back(opts.application_name.c_str());
  keys.push_back(nullptr);
  values.push_back(nullptr);
  pg_conn* raw = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  Connection conn(raw);
  if (!raw || PQstatus(raw) != CONNECTION_OK) {
    // libpq may quote the target, password included, in its message.
    PgError e = PgError::from_connection(raw, "");
    throw PgError(scrub_target_secret(e.what(), opts.target), e.sqlstate(), e.detail(), e.hint())
        .with_context("could not connect to " + redact_target(opts.target));
  }
  // Output of the generated files must not depend on the server's or user's settings.
  conn.exec("SET client_encoding = 'UTF8'; SET standard_conforming_strings = on; "
            "SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; "
            "SET extra_float_digits = 3");
  return conn;
}

Result Connection::checked(pg_result* raw, std::string_view sql) {
  Result res(raw);
  if (!raw) throw PgError::from_connection(conn_.get(), "query failed: " + excerpt(sql));
  auto st = PQresultStatus(raw);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_OUT ||
      st == PGRES_COPY_IN || st == PGRES_EMPTY_QUERY)
    return res;
  throw PgError::from_result(raw, conn_.get(), "query failed: " + excerpt(sql));
}

Result Connection::exec(std::string_view sql) {
  std::string s(sql);
  BusyScope busy(*this);
  return checked(PQexec(conn_.get(), s.c_str()), sql);
}

Result Connection::exec_params(std::string_view sql,
                               const std::vector<std::optional<std::string>>& params) {
  std::string s(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  BusyScope busy(*this);
  return checked(PQexecParams(conn_.get(), s.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0),
                 sql);
}

CopyOutStats Connection::copy_out(std::string_view copy_sql, const CopyChunkSink& sink,
                                  size_t chunk_bytes) {
  Result start = exec(copy_sql);
  if (PQresultStatus(start.raw()) != PGRES_COPY_OUT)
    throw PgError("not a COPY TO STDOUT statement: " + excerpt(copy_sql));
  CopyOutStats stats;
  std::string chunk;
  chunk.reserve(chunk_bytes + 64 * 1024);
  for (;;) {
    char* row = nullptr;
    int n = PQgetCopyData(conn_.get(), &row, 0);
    if (n > 0) {
      chunk.append(row, static_cast<size_t>(n));
      PQfreemem(row);
      ++stats.rows;
      stats.bytes += static_cast<std::uint64_t>(n);
      if (chunk.size() >= chunk_bytes) {
        sink(chunk);
        chunk.clear();
      }
      continue;
    }
    if (n == -2) throw PgError::from_connection(conn_.get(), "COPY stream broke: " + excerpt(copy_sql));
    break;  // -1: the server ended the COPY; its final result says whether it succeeded
  }
  bool ok = true;
  std::optional<PgError> err;
  while (pg_result* r = PQgetResult(conn_.get())) {
    Result res(r);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && !err) {
      ok = false;
      err = PgError::from_result(r, conn_.get(), "COPY failed: " + excerpt(copy_sql));
    }
  }
  if (!ok) throw *err;
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    throw PgError::from_connection(conn_.get(), "connection lost during COPY: " + excerpt(copy_sql));
  if (!chunk.empty()) sink(chunk);
  return stats;
}

void Connection::copy_in_begin(std::string_view copy_sql) {
  Result start = exec(copy_sql);
  if (PQresultStatus(start.raw()) != PGRES_COPY_IN)
    throw PgError("not a COPY FROM STDIN statement: " + excerpt(copy_sql));
}

void Connection::copy_in_put(std::string_view data) {
  if (data.empty()) return;
  if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(data.size())) != 1)
    throw PgError::from_connection(conn_.get(), "sending COPY data failed");
}

std::uint64_t Connection::copy_in_end() {
  if (PQputCopyEnd(conn_.get(), nullptr) != 1)
    throw PgError::from_connection(conn_.get(), "ending COPY failed");
  std::optional<PgError> err;
  std::uint64_t rows = 0;
  while (pg_result* r = PQgetResult(conn_.get())) {
    Result res(r);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      if (!err) err = PgError::from_result(r, conn_.get(), "");
    } else {
      rows = std::stoull(std::string("0") + PQcmdTuples(r));
    }
  }
  if (err) throw *err;
  return rows;
}

void Connection::copy_in_abort(const std::string& reason) {
  PQputCopyEnd(conn_.get(), reason.c_str());
  while (pg_result* r = PQgetResult(conn_.get())) PQclear(r);
}

std::uint64_t Connection::copy_in(std::string_view copy_sql, const CopySource& source) {
  copy_in_begin(copy_sql);
  std::string buf(1 << 20, '\0');
  try {
    for (;;) {
      size_t n = source(buf.data(), buf.size());
      if (n == 0) break;
      copy_in_put(std::string_view(buf.data(), n));
    }
  } catch (const PgError&) {
    throw;
  } catch (const std::exception& e) {
    copy_in_abort(std::string("aborted by client: ") + e.what());
    throw;
  }
  return copy_in_end();
}

void Connection::cancel() const {
  PGcancel* c = PQgetCancel(conn_.get());
  if (!c) return;
  char err[256];
  PQcancel(c, err, sizeof err);
  PQfreeCancel(c);
}

void CancelHandle::Deleter::operator()(pg_cancel* c) const { PQfreeCancel(c); }

bool CancelHandle::cancel() const noexcept {
  if (!cancel_) return false;
  char err[256];
  return PQcancel(cancel_.get(), err, sizeof err) == 1;
}

CancelHandle Connection::cancel_handle() const { return CancelHandle(PQgetCancel(conn_.get())); }

int Connection::backend_pid() const { return PQbackendPID(conn_.get()); }

std::optional<std::chrono::steady_clock::time_point> Connection::busy_since() const {
  std::int64_t ns = busy_since_->load(std::memory_order_acquire);
  if (ns == 0) return std::nullopt;
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

Connection::BusyScope::BusyScope(const Connection& c) : since_(c.busy_since_.get()) {
  std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now().time_since_epoch()).count();
  std::int64_t idle = 0;
  // Nested scopes (exec inside a pipeline helper) keep the outer start time.
  outer_ = since_->compare_exchange_strong(idle, now == 0 ? 1 : now, std::memory_order_acq_rel);
}

Connection::BusyScope::~BusyScope() {
  if (outer_) since_->store(0, std::memory_order_release);
}

int Connection::server_version() const { return PQserverVersion(conn_.get()); }
std::string Connection::database() const { return PQdb(conn_.get()); }
std::string Connection::user() const { return PQuser(conn_.get()); }

Transaction::Transaction(Connection& conn, std::string_view begin_sql) : conn_(conn) {
  conn_.exec(begin_sql);
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    conn_.exec("ROLLBACK");
  } catch (...) {
    // The connection may already be gone; the server rolls back on its own then.
  }
}

void Transaction::commit() {
  conn_.exec("COMMIT");
  open_ = false;
}

}  // namespace crm::pg
