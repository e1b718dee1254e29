// Default privileges (ALTER DEFAULT PRIVILEGES), global or per schema. Loaded into the shared
// catalog model (load) because every object's ACL depends on them (DumpBuilder::add_acl). The
// platform's (supabase_admin's, or in a platform schema) are written commented out.
#include "engine/catalog/row_fields.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/role_filter.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using pg::quote_ident;

// rows[0]: default_acls.sql, one row per privilege (or one with a NULL "ord" for an entry that
// grants nothing), an entry's rows together.
void load(const std::vector<pg::Result>& rows, catalog::Catalog& cat) {
  using namespace catalog;
  const pg::Result& r = rows[0];
  for (int i = 0; i < r.rows(); ++i) {
    Oid oid = oid_at(r, i, "oid");
    if (cat.default_acls.empty() || cat.default_acls.back().oid != oid)
      cat.default_acls.push_back({oid, str_at(r, i, "role"), str_at(r, i, "nsp"), char_at(r, i, "defaclobjtype"), {}});
    if (!r.is_null(i, r.column("ord"))) cat.default_acls.back().acl.push_back(acl_entry(r, i));
  }
}

void write(const std::vector<pg::Result>&, DumpBuilder& out) {
  for (const auto& d : out.catalog().default_acls) {
    bool in_left_out = !d.schema.empty() && catalog::is_left_out_schema(d.schema);
    const char* what = d.objtype == 'r' ? "TABLES" : d.objtype == 'S' ? "SEQUENCES" : d.objtype == 'f' ? "FUNCTIONS"
                       : d.objtype == 'T' ? "TYPES" : d.objtype == 'n' ? "SCHEMAS" : nullptr;
    if (!what) continue;
    std::string head = "ALTER DEFAULT PRIVILEGES FOR ROLE " + quote_ident(d.role) +
                       (d.schema.empty() ? "" : " IN SCHEMA " + quote_ident(d.schema)) + " ";
    std::string sql;
    if (d.schema.empty()) {
      // A global entry replaces the built-in defaults, so start from nothing.
      sql += head + "REVOKE ALL ON " + what + " FROM PUBLIC;\n";
      sql += head + "REVOKE ALL ON " + what + " FROM " + quote_ident(d.role) + ";\n";
    }
    for (size_t i = 0; i < d.acl.size();) {
      size_t j = i;
      std::string privs;
      while (j < d.acl.size() && d.acl[j].grantee == d.acl[i].grantee && d.acl[j].grantable == d.acl[i].grantable) {
        privs += (privs.empty() ? "" : ",") + d.acl[j].privilege;
        ++j;
      }
      sql += head + "GRANT " + privs + " ON " + what + " TO " + grantee_sql(d.acl[i].grantee) +
             (d.acl[i].grantable ? " WITH GRANT OPTION" : "") + ";\n";
      i = j;
    }
    bool active = d.role != "supabase_admin" && !in_left_out;
    out.add({{kRankDefaultAcl, d.schema, d.role, std::string(1, d.objtype)}, kPost, "DEFAULT ACL", d.schema, d.role,
             d.role, active ? sql : comment_out(sql)},
            {});
  }
}

}  // namespace

// The restore resets the restoring role's default privileges itself (db_restore).
Kind default_acls() { return {"default_acls", {{"default_acls", Param::kNone}}, write, std::nullopt, load}; }

}  // namespace crm::engine::schema::kinds
