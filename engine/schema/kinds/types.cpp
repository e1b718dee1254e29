// Enums, composite types, ranges and domains (a domain with its CHECK constraints: the valid
// ones inside CREATE DOMAIN, the NOT VALID ones added after it).
#include <utility>

#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgClass;
using catalog::kPgConstraint;
using catalog::kPgType;
using catalog::ObjRef;
using catalog::Oid;
using pg::quote_ident;
using pg::quote_qualified;

Oid oid_at(const pg::Result& r, int i, std::string_view col) { return static_cast<Oid>(r.get_int(i, col)); }
std::string str_at(const pg::Result& r, int i, std::string_view col) { return std::string(r.get(i, col)); }

std::string range_sql(const pg::Result& r, int i, const std::string& q) {
  std::string sql = "CREATE TYPE " + q + " AS RANGE (\n    subtype = " + str_at(r, i, "range_subtype");
  static constexpr std::pair<const char*, const char*> kOptions[] = {
      {"range_multirange", "multirange_type_name"}, {"range_opclass", "subtype_opclass"},
      {"range_collation", "collation"}, {"range_canonical", "canonical"}, {"range_subdiff", "subtype_diff"}};
  for (auto [col, option] : kOptions) {
    std::string v = str_at(r, i, col);
    if (!v.empty()) sql += ",\n    " + std::string(option) + " = " + v;
  }
  return sql + "\n);\n";
}

std::string domain_sql(const pg::Result& r, int i, Oid oid, const std::string& name, const std::string& q,
                       std::vector<ObjRef>& refs, std::string& extra_comments, const DumpBuilder& out) {
  std::string sql = "CREATE DOMAIN " + q + " AS " + str_at(r, i, "domain_base");
  std::string collation = str_at(r, i, "domain_collation");
  if (!collation.empty()) sql += " COLLATE " + collation;
  if (auto def = r.get_opt(i, "domain_default")) sql += " DEFAULT " + *def;
  if (r.get_bool(i, "typnotnull")) {
    // 17+ name it; the name the server would choose is left to it.
    std::string nn = str_at(r, i, "not_null_name");
    if (!nn.empty() && nn != name + "_not_null") sql += " CONSTRAINT " + quote_ident(nn);
    sql += " NOT NULL";
  }
  std::string later;
  for (const auto& c : out.catalog().constraints) {
    if (c.typid != oid || c.type != 'c') continue;
    refs.push_back({kPgConstraint, c.oid});
    if (c.validated)
      sql += "\n    CONSTRAINT " + quote_ident(c.name) + " " + c.def;
    else
      later += "ALTER DOMAIN " + q + " ADD CONSTRAINT " + quote_ident(c.name) + " " + c.def + ";\n";
    extra_comments += out.comments_for({kPgConstraint, c.oid}, "CONSTRAINT " + quote_ident(c.name) + " ON DOMAIN " + q);
  }
  return sql + ";\n" + later;
}

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for_each_own_row(r, out.catalog(), kPgType, [&](int i, Oid oid) {
    std::string schema = str_at(r, i, "nspname"), name = str_at(r, i, "typname"), owner = str_at(r, i, "owner");
    char kind = r.get(i, "typtype").empty() ? '\0' : r.get(i, "typtype")[0];
    std::string q = quote_qualified(schema, name);
    std::string sql, kw = kind == 'd' ? "DOMAIN" : "TYPE";
    std::vector<ObjRef> refs{{kPgType, oid}};
    if (Oid array = oid_at(r, i, "typarray")) refs.push_back({kPgType, array});
    std::string extra_comments;
    switch (kind) {
      case 'e': sql = "CREATE TYPE " + q + " AS ENUM (\n    " + str_at(r, i, "enum_labels") + "\n);\n"; break;
      case 'c': {
        Oid relid = oid_at(r, i, "typrelid");
        sql = "CREATE TYPE " + q + " AS (\n    " + str_at(r, i, "composite_attrs") + "\n);\n";
        refs.push_back({kPgClass, relid});
        extra_comments = out.comments_for({kPgClass, relid}, "", q);
        break;
      }
      case 'r': sql = range_sql(r, i, q); break;
      case 'd': sql = domain_sql(r, i, oid, name, q, refs, extra_comments, out); break;
    }
    sql += "ALTER " + kw + " " + q + " OWNER TO " + quote_ident(owner) + ";\n";
    sql += out.comments_for({kPgType, oid}, kw + " " + q) + extra_comments;
    size_t id = out.add({{kRankType, schema, name, ""}, kPre, kw, schema, name, owner, sql}, {});
    for (auto ref : refs) out.map_ref(ref, id);
    out.add_acl(kPgType, oid, r.get_bool(i, "has_acl"), 'T', kw + " " + q, owner, schema, name, "type");
  });
}

// regtype text: schema-qualified and quoted by the server.
std::string drop(const pg::Result& rows, int row, const std::string&) {
  return "DROP TYPE " + std::string(rows.get(row, "type_name")) + " CASCADE";
}

}  // namespace

Kind types() {
  return {"types", {{"types", Param::kAppSchemas}}, write, Drop{"types.drop", "pg_catalog.pg_type", drop}};
}

}  // namespace crm::engine::schema::kinds
