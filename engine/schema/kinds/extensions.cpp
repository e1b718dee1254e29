// Extensions (CREATE EXTENSION IF NOT EXISTS in their schema; a few of Supabase's choose their
// own). Their members are never written: an edge to a member is an edge to the extension.
// The members are loaded into the catalog first of all: every kind leaves them out.
#include "engine/catalog/row_fields.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/role_filter.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgExtension;
using catalog::Oid;
using pg::quote_ident;

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for (int i = 0; i < r.rows(); ++i) {
    Oid oid = static_cast<Oid>(r.get_int(i, "oid"));
    std::string name(r.get(i, "extname")), schema(r.get(i, "nspname"));
    std::string q = quote_ident(name);
    std::string sql = "CREATE EXTENSION IF NOT EXISTS " + q;
    if (name == "pg_tle" || name == "pgsodium" || name == "pgmq")
      sql += ";\n";
    else
      sql += " WITH SCHEMA " + quote_ident(schema) + ";\n";
    std::string c = out.comments_for({kPgExtension, oid}, "EXTENSION " + q);
    if (!c.empty()) sql += comment_out(c);  // COMMENT ON EXTENSION needs the owner: left out like the old system
    out.add({{kRankExtension, "", name, ""}, kPre, "EXTENSION", schema, name, "", sql}, {{kPgExtension, oid}});
  }
}

// rows[1]: extension_members.sql.
void load(const std::vector<pg::Result>& rows, catalog::Catalog& cat) {
  const pg::Result& r = rows[1];
  for (int i = 0; i < r.rows(); ++i)
    cat.extension_members[{catalog::oid_at(r, i, "classid"), catalog::oid_at(r, i, "objid")}] =
        catalog::oid_at(r, i, "refobjid");
}

std::string drop(const pg::Result& rows, int row, const std::string&) {
  return "DROP EXTENSION IF EXISTS " + quote_ident(rows.get(row, "name")) + " CASCADE";
}

}  // namespace

Kind extensions() {
  return {"extensions", {{"extensions", Param::kNone}, {"extension_members", Param::kNone}}, write,
          Drop{"extensions.drop", "pg_catalog.pg_extension", drop}, load};
}

}  // namespace crm::engine::schema::kinds
