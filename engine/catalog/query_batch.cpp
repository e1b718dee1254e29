#include "engine/catalog/query_batch.hpp"

#include <libpq-fe.h>
#include <poll.h>

namespace crm::engine::catalog {
namespace {

std::string excerpt(const std::string& sql) {
  std::string s;
  for (char c : sql.substr(0, 120)) s.push_back(c == '\n' ? ' ' : c);
  return s + (sql.size() > 120 ? "..." : "");
}

// Flushes libpq's output buffer without blocking on a server that is busy writing results.
void flush_all(pg_conn* c) {
  for (;;) {
    int r = PQflush(c);
    if (r == 0) return;
    if (r < 0) throw pg::PgError::from_connection(c, "sending catalog queries failed");
    pollfd p{PQsocket(c), POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, -1) < 0) continue;
    if ((p.revents & POLLIN) && !PQconsumeInput(c))
      throw pg::PgError::from_connection(c, "reading catalog results failed");
  }
}

}  // namespace

size_t QueryBatch::add(std::string sql, std::vector<std::optional<std::string>> params) {
  queries_.push_back({std::move(sql), std::move(params)});
  return queries_.size() - 1;
}

std::vector<pg::Result> QueryBatch::run() {
  pg_conn* c = conn_.raw();
  pg::Connection::BusyScope busy(conn_);  // a lock wait in the batch is watched like any statement
  if (!PQenterPipelineMode(c)) throw pg::PgError::from_connection(c, "cannot enter pipeline mode");
  struct Restore {
    pg_conn* c;
    ~Restore() {
      PQsetnonblocking(c, 0);
      PQexitPipelineMode(c);
    }
  } restore{c};
  if (PQsetnonblocking(c, 1) != 0) throw pg::PgError::from_connection(c, "cannot switch to non-blocking mode");
  for (const auto& q : queries_) {
    std::vector<const char*> values;
    for (const auto& p : q.params) values.push_back(p ? p->c_str() : nullptr);
    if (!PQsendQueryParams(c, q.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0))
      throw pg::PgError::from_connection(c, "sending a catalog query failed: " + excerpt(q.sql));
    flush_all(c);
  }
  if (!PQpipelineSync(c)) throw pg::PgError::from_connection(c, "sending catalog queries failed");
  flush_all(c);
  PQsetnonblocking(c, 0);

  std::vector<pg::Result> out;
  std::optional<pg::PgError> first_error;
  for (const auto& q : queries_) {
    pg_result* raw = PQgetResult(c);
    if (!raw) throw pg::PgError::from_connection(c, "catalog query returned nothing: " + excerpt(q.sql));
    pg::Result res(raw);
    auto st = PQresultStatus(raw);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && !first_error) {
      first_error = st == PGRES_PIPELINE_ABORTED
                        ? pg::PgError("catalog query aborted: " + excerpt(q.sql))
                        : pg::PgError::from_result(raw, c, "query failed: " + excerpt(q.sql));
    }
    while (pg_result* extra = PQgetResult(c)) PQclear(extra);  // the NULL that ends this query
    out.push_back(std::move(res));
  }
  {  // the sync point
    pg_result* raw = PQgetResult(c);
    if (!raw) throw pg::PgError::from_connection(c, "connection lost reading catalogs");
    bool sync = PQresultStatus(raw) == PGRES_PIPELINE_SYNC;
    PQclear(raw);
    if (!sync) throw pg::PgError("catalog queries: unexpected result where the pipeline should end");
  }
  if (first_error) throw *first_error;
  return out;
}

}  // namespace crm::engine::catalog
