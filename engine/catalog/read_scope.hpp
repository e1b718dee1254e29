#pragma once
// The catalog readers run inside whatever transaction the caller holds (the backup command
// reads roles, schema and data from one exported snapshot), so they never BEGIN or COMMIT a
// caller's transaction. CatalogReadScope only starts (and afterwards rolls back) a read-only
// transaction when the connection is idle, and sets search_path = '' and
// quote_all_identifiers = on for the server's deparsers with set_config(..., is_local => true),
// restoring the previous values when it ends so the caller's session is left as it was.
#include <string>

#include "pgwire/connection.hpp"

namespace crm::engine::catalog {

class CatalogReadScope {
 public:
  explicit CatalogReadScope(pg::Connection& conn);
  ~CatalogReadScope();
  CatalogReadScope(const CatalogReadScope&) = delete;
  CatalogReadScope& operator=(const CatalogReadScope&) = delete;

 private:
  pg::Connection& conn_;
  bool own_transaction_ = false;
  std::string old_search_path_;
  std::string old_quote_all_;
};

}  // namespace crm::engine::catalog
