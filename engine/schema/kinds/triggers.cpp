// Triggers of the application's tables, and, in the managed-schema section, the application's
// triggers on auth/storage tables with the functions they call when those live in
// auth/storage too.
#include <set>

#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgProc;
using catalog::kPgTrigger;
using catalog::Oid;
using pg::quote_ident;

std::string trigger_sql(const pg::Result& r, int i, Oid oid, const std::string& name, const std::string& table,
                        const DumpBuilder& out) {
  std::string def(r.get(i, "def"));
  static const std::string plain = "CREATE TRIGGER ";
  if (!r.get_bool(i, "is_constraint") && def.compare(0, plain.size(), plain) == 0)
    def = "CREATE OR REPLACE TRIGGER " + def.substr(plain.size());
  std::string sql = def + ";\n";
  std::string at = "ALTER TABLE " + table + " ";
  std::string_view enabled = r.get(i, "tgenabled");
  if (enabled == "D") sql += at + "DISABLE TRIGGER " + quote_ident(name) + ";\n";
  if (enabled == "R") sql += at + "ENABLE REPLICA TRIGGER " + quote_ident(name) + ";\n";
  if (enabled == "A") sql += at + "ENABLE ALWAYS TRIGGER " + quote_ident(name) + ";\n";
  sql += out.comments_for({kPgTrigger, oid}, "TRIGGER " + quote_ident(name) + " ON " + table);
  return sql;
}

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  std::set<Oid> managed_functions;
  for_each_own_row(r, out.catalog(), kPgTrigger, [&](int i, Oid oid) {
    const catalog::Relation* rel = out.relation(static_cast<Oid>(r.get_int(i, "tgrelid")));
    if (!rel) return;
    std::string name(r.get(i, "tgname")), table = out.qname(*rel);
    std::string fn_schema(r.get(i, "fn_schema")), fn_owner(r.get(i, "fn_owner"));
    if (out.is_app(*rel)) {
      out.add({{kRankTrigger, rel->schema, rel->name, name}, kPost, "TRIGGER", rel->schema, rel->name + " " + name,
               rel->owner, trigger_sql(r, i, oid, name, table, out)},
              {{kPgTrigger, oid}});
    } else if (out.options().managed_schema_objects && catalog::is_managed_app_schema(rel->schema) &&
               (!catalog::is_left_out_schema(fn_schema) || fn_owner.rfind("supabase_", 0) != 0)) {
      // The platform's own triggers on auth/storage tables call platform functions, which
      // live in the platform schemas and are owned by supabase_* roles. A trigger calling a
      // function elsewhere, or one owned by another role (the application's function put
      // inside auth/storage), is the application's; so is such a function, which the main
      // part does not write (its schema is left out).
      Oid fn_oid = static_cast<Oid>(r.get_int(i, "fn_oid"));
      std::string fn_def(r.get(i, "fn_def")), fn_sig(r.get(i, "fn_sig"));
      if (!fn_def.empty() && managed_functions.insert(fn_oid).second) {
        std::string sql = strip_semicolon(fn_def) + ";\n" + "ALTER FUNCTION " + fn_sig + " OWNER TO " +
                          quote_ident(fn_owner) + ";\n";
        out.add({{kRankManagedFunction, fn_schema, fn_sig, ""}, kManaged, "FUNCTION", fn_schema, fn_sig, fn_owner, sql},
                {{kPgProc, fn_oid}});
      }
      out.add({{kRankManagedTrigger, rel->schema, rel->name, name}, kManaged, "TRIGGER", rel->schema,
               rel->name + " " + name, rel->owner, trigger_sql(r, i, oid, name, table, out)},
              {{kPgTrigger, oid}});
    }
  });
}

}  // namespace

// Dropped with their table.
Kind triggers() { return {"triggers", {{"triggers", Param::kAllSchemas}}, write, std::nullopt}; }

}  // namespace crm::engine::schema::kinds
