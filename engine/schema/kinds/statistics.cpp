// Extended statistics (the server's CREATE STATISTICS, its owner and statistics target).
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgStatisticExt;
using catalog::Oid;
using pg::quote_ident;
using pg::quote_qualified;

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for_each_own_row(r, out.catalog(), kPgStatisticExt, [&](int i, Oid oid) {
    std::string schema(r.get(i, "nspname")), name(r.get(i, "stxname")), owner(r.get(i, "owner"));
    std::string q = quote_qualified(schema, name);
    std::string sql = strip_semicolon(std::string(r.get(i, "def"))) + ";\n" + "ALTER STATISTICS " + q + " OWNER TO " +
                      quote_ident(owner) + ";\n";
    auto target = r.get_int(i, "target");  // -1: the default
    if (target >= 0) sql += "ALTER STATISTICS " + q + " SET STATISTICS " + std::to_string(target) + ";\n";
    sql += out.comments_for({kPgStatisticExt, oid}, "STATISTICS " + q);
    out.add({{kRankStatistics, schema, name, ""}, kPost, "STATISTICS", schema, name, owner, sql}, {{kPgStatisticExt, oid}});
  });
}

}  // namespace

// Dropped with their table.
Kind statistics() { return {"statistics", {{"statistics", Param::kAppSchemas}}, write, std::nullopt}; }

}  // namespace crm::engine::schema::kinds
