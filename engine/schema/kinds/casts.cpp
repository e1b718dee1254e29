// User-defined casts: CREATE CAST with a function, WITHOUT FUNCTION or WITH INOUT, AS
// ASSIGNMENT or AS IMPLICIT, written as pg_dump writes them. Casts belong to no schema; one
// that touches a platform schema (its function or a type there) is the platform's.
#include "engine/catalog/catalog.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::Oid;
inline constexpr Oid kPgCast = 2605;
// After the functions and types a cast uses (dependencies order it anyway; this breaks ties).
inline constexpr int kRankCast = kRankAggregate + 5;

bool platform_schema(std::string_view schema) {
  return !schema.empty() && schema != "pg_catalog" && catalog::is_left_out_schema(std::string(schema));
}

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for_each_own_row(r, out.catalog(), kPgCast, [&](int i, Oid oid) {
    if (platform_schema(r.get(i, "source_schema")) || platform_schema(r.get(i, "target_schema")) ||
        platform_schema(r.get(i, "function_schema")))
      return;
    // format_type under search_path = '' and quote_all_identifiers: qualified and quoted.
    std::string what = "(" + std::string(r.get(i, "source")) + " AS " + std::string(r.get(i, "target")) + ")";
    std::string sql = "CREATE CAST " + what;
    std::string_view method = r.get(i, "castmethod");
    if (method == "f") sql += " WITH FUNCTION " + std::string(r.get(i, "function"));
    else if (method == "i") sql += " WITH INOUT";
    else sql += " WITHOUT FUNCTION";
    std::string_view context = r.get(i, "castcontext");
    if (context == "a") sql += " AS ASSIGNMENT";
    if (context == "i") sql += " AS IMPLICIT";
    sql += ";\n" + out.comments_for({kPgCast, oid}, "CAST " + what);
    out.add({{kRankCast, "", what, ""}, kPre, "CAST", "", "CAST " + what, "", sql}, {{kPgCast, oid}});
  });
}

std::string drop(const pg::Result& rows, int row, const std::string&) {
  return "DROP CAST IF EXISTS (" + std::string(rows.get(row, "source")) + " AS " + std::string(rows.get(row, "target")) +
         ") CASCADE";
}

}  // namespace

Kind casts() { return {"casts", {{"casts", Param::kNone}}, write, Drop{"casts.drop", "pg_catalog.pg_cast", drop}}; }

}  // namespace crm::engine::schema::kinds
