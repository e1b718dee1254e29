// Text search dictionaries, written as pg_dump writes them (no server deparser exists).
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgTsDict;
using catalog::Oid;
using pg::quote_ident;
using pg::quote_qualified;

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for_each_own_row(r, out.catalog(), kPgTsDict, [&](int i, Oid oid) {
    std::string schema(r.get(i, "nspname")), name(r.get(i, "dictname")), owner(r.get(i, "owner"));
    std::string options(r.get(i, "dictinitoption"));  // the server's own serialization: name = 'value', ...
    std::string q = quote_qualified(schema, name);
    std::string sql = "CREATE TEXT SEARCH DICTIONARY " + q + " (\n    TEMPLATE = " +
                      quote_qualified(std::string(r.get(i, "tmpl_schema")), std::string(r.get(i, "tmplname")));
    if (!options.empty()) sql += ",\n    " + options;
    sql += " );\n";
    sql += "ALTER TEXT SEARCH DICTIONARY " + q + " OWNER TO " + quote_ident(owner) + ";\n";
    sql += out.comments_for({kPgTsDict, oid}, "TEXT SEARCH DICTIONARY " + q);
    out.add({{kRankTsDictionary, schema, name, ""}, kPre, "TEXT SEARCH DICTIONARY", schema, name, owner, sql},
            {{kPgTsDict, oid}});
  });
}

std::string drop(const pg::Result& rows, int row, const std::string& schema) {
  return "DROP TEXT SEARCH DICTIONARY " + quote_qualified(schema, rows.get(row, "name")) + " CASCADE";
}

}  // namespace

Kind ts_dictionaries() {
  return {"ts_dictionaries", {{"ts_dictionaries", Param::kAppSchemas}}, write,
          Drop{"ts_dictionaries.drop", "pg_catalog.pg_ts_dict", drop}};
}

}  // namespace crm::engine::schema::kinds
