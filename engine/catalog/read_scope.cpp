#include "engine/catalog/read_scope.hpp"

#include <libpq-fe.h>

#include "engine/catalog/query_batch.hpp"

namespace crm::engine::catalog {

CatalogReadScope::CatalogReadScope(pg::Connection& conn) : conn_(conn) {
  auto status = PQtransactionStatus(conn_.raw());
  if (status == PQTRANS_IDLE) {
    conn_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    own_transaction_ = true;
  } else if (status != PQTRANS_INTRANS) {
    throw std::runtime_error("cannot read the catalogs: the connection is not idle and not in a usable transaction");
  }
  // Read the caller's values, then set ours: two statements, one round trip.
  QueryBatch batch(conn_);
  size_t read = batch.add(
      "SELECT pg_catalog.current_setting('search_path') AS sp, "
      "pg_catalog.current_setting('quote_all_identifiers') AS qa");
  batch.add(
      "SELECT pg_catalog.set_config('search_path', '', true), "
      "pg_catalog.set_config('quote_all_identifiers', 'on', true)");
  auto res = batch.run();
  old_search_path_ = std::string(res[read].get(0, "sp"));
  old_quote_all_ = std::string(res[read].get(0, "qa"));
}

CatalogReadScope::~CatalogReadScope() {
  try {
    if (own_transaction_) {
      conn_.exec("ROLLBACK");
    } else if (PQtransactionStatus(conn_.raw()) == PQTRANS_INTRANS) {
      conn_.exec_params(
          "SELECT pg_catalog.set_config('search_path', $1, true), "
          "pg_catalog.set_config('quote_all_identifiers', $2, true)",
          {old_search_path_, old_quote_all_});
    }
  } catch (...) {
    // A failed reset leaves only transaction-local settings behind; the caller's error wins.
  }
}

}  // namespace crm::engine::catalog
