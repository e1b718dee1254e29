// Text search configurations, written as pg_dump writes them (no server deparser exists). The
// dictionaries a configuration maps to come from pg_depend like every other edge.
#include <optional>

#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgTsConfig;
using catalog::Oid;
using pg::quote_ident;
using pg::quote_qualified;

struct Configuration {
  Oid oid;
  std::string schema, name, owner, parser;  // parser: schema-qualified and quoted
  std::string mappings;                     // the ALTER ... ADD MAPPING statements
};

void add(const Configuration& c, DumpBuilder& out) {
  std::string q = quote_qualified(c.schema, c.name);
  std::string sql = "CREATE TEXT SEARCH CONFIGURATION " + q + " (\n    PARSER = " + c.parser + " );\n" + c.mappings;
  sql += "\nALTER TEXT SEARCH CONFIGURATION " + q + " OWNER TO " + quote_ident(c.owner) + ";\n";
  sql += out.comments_for({kPgTsConfig, c.oid}, "TEXT SEARCH CONFIGURATION " + q);
  out.add({{kRankTsConfiguration, c.schema, c.name, ""}, kPre, "TEXT SEARCH CONFIGURATION", c.schema, c.name, c.owner, sql},
          {{kPgTsConfig, c.oid}});
}

// One row per configuration and token type, ordered by configuration.
void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  std::optional<Configuration> cur;
  for_each_own_row(r, out.catalog(), kPgTsConfig, [&](int i, Oid oid) {
    if (!cur || cur->oid != oid) {
      if (cur) add(*cur, out);
      cur = Configuration{oid, std::string(r.get(i, "nspname")), std::string(r.get(i, "cfgname")),
                          std::string(r.get(i, "owner")),
                          quote_qualified(std::string(r.get(i, "prs_schema")), std::string(r.get(i, "prsname"))), ""};
    }
    if (r.is_null(i, r.column("token"))) return;  // a configuration without mappings
    std::string with;  // the regdictionary texts, joined by chr(31) in the query
    for (char ch : r.get(i, "dicts")) with += ch == '\x1f' ? std::string(", ") : std::string(1, ch);
    cur->mappings += "\nALTER TEXT SEARCH CONFIGURATION " + quote_qualified(cur->schema, cur->name) + "\n    ADD MAPPING FOR " +
                     quote_ident(std::string(r.get(i, "token"))) + " WITH " + with + ";\n";
  });
  if (cur) add(*cur, out);
}

std::string drop(const pg::Result& rows, int row, const std::string& schema) {
  return "DROP TEXT SEARCH CONFIGURATION " + quote_qualified(schema, rows.get(row, "name")) + " CASCADE";
}

}  // namespace

Kind ts_configurations() {
  return {"ts_configurations", {{"ts_configurations", Param::kAppSchemas}}, write,
          Drop{"ts_configurations.drop", "pg_catalog.pg_ts_config", drop}};
}

}  // namespace crm::engine::schema::kinds
