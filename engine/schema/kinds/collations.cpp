// Collations (CREATE COLLATION with the server-built option list).
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgCollation;
using catalog::Oid;
using pg::quote_ident;
using pg::quote_qualified;

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for_each_own_row(r, out.catalog(), kPgCollation, [&](int i, Oid oid) {
    std::string schema(r.get(i, "nspname")), name(r.get(i, "collname")), owner(r.get(i, "owner"));
    std::string q = quote_qualified(schema, name);
    std::string sql = "CREATE COLLATION " + q + " (" + std::string(r.get(i, "options")) + ");\n" + "ALTER COLLATION " +
                      q + " OWNER TO " + quote_ident(owner) + ";\n" + out.comments_for({kPgCollation, oid}, "COLLATION " + q);
    out.add({{kRankCollation, schema, name, ""}, kPre, "COLLATION", schema, name, owner, sql}, {{kPgCollation, oid}});
  });
}

std::string drop(const pg::Result& rows, int row, const std::string& schema) {
  return "DROP COLLATION " + quote_qualified(schema, rows.get(row, "name")) + " CASCADE";
}

}  // namespace

Kind collations() {
  return {"collations", {{"collations", Param::kAppSchemas}}, write,
          Drop{"collations.drop", "pg_catalog.pg_collation", drop}};
}

}  // namespace crm::engine::schema::kinds
