// The application schemas (CREATE SCHEMA IF NOT EXISTS, owner, comment, ACL). Which schemas
// are the application's is the catalog loader's first question: it runs namespaces.sql before
// every other query and parses it with load_schemas. A restore keeps a schema and clears it
// (db_restore), so there is no drop.
#include "engine/schema/kinds/schemas.hpp"

#include "engine/catalog/row_fields.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgNamespace;
using pg::quote_ident;

void write(const std::vector<pg::Result>&, DumpBuilder& out) {
  for (const auto& n : out.catalog().namespaces) {
    std::string q = quote_ident(n.name);
    std::string sql = "CREATE SCHEMA IF NOT EXISTS " + q + ";\n" + "ALTER SCHEMA " + q + " OWNER TO " +
                      quote_ident(n.owner) + ";\n" + out.comments_for({kPgNamespace, n.oid}, "SCHEMA " + q);
    out.add({{kRankSchema, "", n.name, ""}, kPre, "SCHEMA", "", n.name, n.owner, sql}, {{kPgNamespace, n.oid}});
    out.add_acl(kPgNamespace, n.oid, n.has_acl, 'n', "SCHEMA " + q, n.owner, "", n.name, "schema");
  }
}

}  // namespace

void load_schemas(const pg::Result& r, catalog::Catalog& cat) {
  using namespace catalog;
  for (int i = 0; i < r.rows(); ++i) {
    Namespace ns{oid_at(r, i, "oid"), str_at(r, i, "nspname"), str_at(r, i, "owner"), r.get_bool(i, "has_acl")};
    if (!is_left_out_schema(ns.name))
      cat.namespaces.push_back(std::move(ns));
    else if (is_managed_app_schema(ns.name))
      cat.managed.push_back(std::move(ns));
  }
}

Kind schemas() { return {"schemas", {}, write, std::nullopt}; }

}  // namespace crm::engine::schema::kinds
