#pragma once
// Several independent catalog queries in one round trip (libpq pipeline mode): on a remote
// database the schema dump costs a handful of round trips, not one per object kind. Sending
// is non-blocking and reads whatever results arrive meanwhile, so a large result can never
// deadlock a client that is still sending.
#include <optional>
#include <string>
#include <vector>

#include "pgwire/connection.hpp"

namespace crm::engine::catalog {

class QueryBatch {
 public:
  explicit QueryBatch(pg::Connection& conn) : conn_(conn) {}
  // Returns the index of the query's result in what run() returns.
  size_t add(std::string sql, std::vector<std::optional<std::string>> params = {});
  // Sends every query, then reads every result; throws PgError (naming the query) for the
  // first that failed. The connection is back out of pipeline mode either way.
  std::vector<pg::Result> run();

 private:
  struct Query {
    std::string sql;
    std::vector<std::optional<std::string>> params;
  };
  pg::Connection& conn_;
  std::vector<Query> queries_;
};

}  // namespace crm::engine::catalog
