#include "pgwire/snapshot.hpp"

#include "pgwire/quote.hpp"

namespace crm::pg {

std::string begin_exported_snapshot(Connection& conn) {
  conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  auto r = conn.exec("SELECT pg_catalog.pg_export_snapshot()");
  return std::string(r.get(0, 0));
}

void begin_with_snapshot(Connection& conn, const std::string& snapshot_id) {
  conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  conn.exec("SET TRANSACTION SNAPSHOT " + quote_literal(snapshot_id));
}

}  // namespace crm::pg
