// Row-level security: ENABLE/FORCE on the application's tables, and the policies on them and,
// in the managed-schema section, on auth/storage tables (the platform creates none there, so
// every one is the application's).
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgPolicy;
using catalog::Oid;
using pg::quote_ident;

std::string policy_sql(const pg::Result& r, int i, Oid oid, const std::string& name, const std::string& table,
                       const DumpBuilder& out) {
  std::string_view c = r.get(i, "polcmd");
  std::string cmd = c == "r" ? "SELECT" : c == "a" ? "INSERT" : c == "w" ? "UPDATE" : c == "d" ? "DELETE" : "ALL";
  std::string roles(r.get(i, "roles"));
  std::string sql = "CREATE POLICY " + quote_ident(name) + " ON " + table + " AS " +
                    (r.get_bool(i, "polpermissive") ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " + cmd + " TO " +
                    (roles.empty() ? "PUBLIC" : roles);
  if (auto qual = r.get_opt(i, "qual")) sql += "\n  USING (" + *qual + ")";
  if (auto check = r.get_opt(i, "wcheck")) sql += "\n  WITH CHECK (" + *check + ")";
  return sql + ";\n" + out.comments_for({kPgPolicy, oid}, "POLICY " + quote_ident(name) + " ON " + table);
}

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  for (const auto& rel : out.catalog().relations) {
    if (!out.is_app(rel) || (rel.kind != 'r' && rel.kind != 'p')) continue;
    std::string q = out.qname(rel), sql;
    if (rel.rls) sql += "ALTER TABLE " + q + " ENABLE ROW LEVEL SECURITY;\n";
    if (rel.force_rls) sql += "ALTER TABLE " + q + " FORCE ROW LEVEL SECURITY;\n";
    if (!sql.empty()) out.add({{kRankRls, rel.schema, rel.name, ""}, kPost, "ROW SECURITY", rel.schema, rel.name, rel.owner, sql}, {});
  }
  const pg::Result& r = rows[0];
  for (int i = 0; i < r.rows(); ++i) {
    Oid oid = static_cast<Oid>(r.get_int(i, "oid"));
    const catalog::Relation* rel = out.relation(static_cast<Oid>(r.get_int(i, "polrelid")));
    if (!rel) continue;
    std::string name(r.get(i, "polname"));
    std::string label = rel->name + " " + name;
    if (out.is_app(*rel)) {
      out.add({{kRankPolicy, rel->schema, rel->name, name}, kPost, "POLICY", rel->schema, label, "",
               policy_sql(r, i, oid, name, out.qname(*rel), out)},
              {{kPgPolicy, oid}});
    } else if (out.options().managed_schema_objects && catalog::is_managed_app_schema(rel->schema)) {
      std::string sql = "DROP POLICY IF EXISTS " + quote_ident(name) + " ON " + out.qname(*rel) + ";\n" +
                        policy_sql(r, i, oid, name, out.qname(*rel), out);
      out.add({{kRankManagedPolicy, rel->schema, rel->name, name}, kManaged, "POLICY", rel->schema, label, "", sql},
              {{kPgPolicy, oid}});
    }
  }
}

}  // namespace

// Dropped with their table.
Kind policies() { return {"policies", {{"policies", Param::kAllSchemas}}, write, std::nullopt}; }

}  // namespace crm::engine::schema::kinds
