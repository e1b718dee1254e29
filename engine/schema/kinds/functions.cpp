// Functions, procedures and aggregates. Their catalog query and DDL still live in
// catalog/catalog.cpp and schema_sql.cpp (build_functions); the drop a restore needs is here.
#include "engine/schema/kinds/kind.hpp"

namespace crm::engine::schema::kinds {
namespace {

// The signature is regprocedure text: schema-qualified and quoted by the server.
std::string drop(const pg::Result& rows, int row, const std::string&) {
  std::string_view k = rows.get(row, "prokind");
  const char* kind = k == "a" ? "AGGREGATE" : k == "p" ? "PROCEDURE" : "FUNCTION";
  return std::string("DROP ") + kind + " " + std::string(rows.get(row, "signature")) + " CASCADE";
}

}  // namespace

Kind functions() { return {"functions", {}, nullptr, Drop{"functions.drop", "pg_catalog.pg_proc", drop}}; }

}  // namespace crm::engine::schema::kinds
