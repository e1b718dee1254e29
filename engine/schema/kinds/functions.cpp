// Functions and procedures (the server's CREATE OR REPLACE text) and aggregates (CREATE
// AGGREGATE with the option list the query builds), with owner, comment and ACL.
#include "engine/schema/kinds/functions.hpp"

#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgProc;
using catalog::Oid;
using pg::quote_ident;
using pg::quote_qualified;

constexpr std::string_view kName = "functions";

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for_each_own_row(r, out.catalog(), kPgProc, [&](int i, Oid oid) {
    std::string schema(r.get(i, "nspname")), name(r.get(i, "proname")), owner(r.get(i, "owner"));
    std::string identity_args(r.get(i, "idargs"));
    char kind = r.get(i, "prokind").empty() ? 'f' : r.get(i, "prokind")[0];
    std::string sig = quote_qualified(schema, name) + "(" + identity_args + ")";
    std::string kw = kind == 'p' ? "PROCEDURE" : kind == 'a' ? "AGGREGATE" : "FUNCTION";
    std::string sql;
    if (kind == 'a') {
      std::string args(r.get(i, "args"));
      sig = quote_qualified(schema, name) + "(" + (identity_args.empty() ? "*" : identity_args) + ")";
      sql = "CREATE AGGREGATE " + quote_qualified(schema, name) + "(" + (args.empty() ? "*" : args) + ") (\n    " +
            std::string(r.get(i, "aggbody")) + "\n);\n";
    } else {
      sql = strip_semicolon(std::string(r.get(i, "def"))) + ";\n";
    }
    sql += "ALTER " + kw + " " + sig + " OWNER TO " + quote_ident(owner) + ";\n";
    sql += out.comments_for({kPgProc, oid}, kw + " " + sig);
    out.add({{kind == 'a' ? kRankAggregate : kRankFunction, schema, name, identity_args}, kPre, kw, schema, name, owner, sql},
            {{kPgProc, oid}});
    out.add_acl(kPgProc, oid, r.get_bool(i, "has_acl"), 'f', (kind == 'p' ? "PROCEDURE " : "FUNCTION ") + sig, owner,
                schema, name, identity_args);
  });
}

// The signature is regprocedure text: schema-qualified and quoted by the server.
std::string drop(const pg::Result& rows, int row, const std::string&) {
  std::string_view k = rows.get(row, "prokind");
  const char* kind = k == "a" ? "AGGREGATE" : k == "p" ? "PROCEDURE" : "FUNCTION";
  return std::string("DROP ") + kind + " " + std::string(rows.get(row, "signature")) + " CASCADE";
}

}  // namespace

std::set<Oid> dumped_functions(const catalog::Catalog& cat) {
  std::set<Oid> out;
  auto rows = cat.kind_rows.find(kName);
  if (rows == cat.kind_rows.end() || rows->second.empty()) return out;
  const pg::Result& r = rows->second[0];
  for_each_own_row(r, cat, kPgProc, [&](int, Oid oid) { out.insert(oid); });
  return out;
}

Kind functions() {
  return {kName, {{"functions", Param::kAppSchemas}}, write, Drop{"functions.drop", "pg_catalog.pg_proc", drop}};
}

}  // namespace crm::engine::schema::kinds
