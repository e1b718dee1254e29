// Tables, views, materialized views and sequences. Their catalog queries and DDL still live
// in catalog/catalog.cpp and schema_sql.cpp (build_relations); the drop a restore needs is here.
#include "engine/schema/kinds/kind.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

std::string drop(const pg::Result& rows, int row, const std::string& schema) {
  std::string_view k = rows.get(row, "relkind");
  const char* kind = k == "v" ? "VIEW" : k == "m" ? "MATERIALIZED VIEW" : k == "f" ? "FOREIGN TABLE"
                   : k == "S" ? "SEQUENCE" : "TABLE";
  return std::string("DROP ") + kind + " " + pg::quote_qualified(schema, rows.get(row, "name")) + " CASCADE";
}

}  // namespace

Kind relations() { return {"relations", {}, nullptr, Drop{"relations.drop", "pg_catalog.pg_class", drop}}; }

}  // namespace crm::engine::schema::kinds
