// Primary keys, unique and exclusion constraints (with the index that implements them:
// CLUSTER ON, REPLICA IDENTITY, its comment), foreign keys, and the CHECKs and (18) NOT NULLs
// that are NOT VALID or not the table's own, added after the data. Loaded into the shared
// catalog model (load): a table writes its valid CHECKs and a domain its own. Dropped with
// their table.
#include "engine/catalog/row_fields.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using namespace crm::engine::catalog;
using pg::quote_ident;
using pg::quote_qualified;

// rows[0]: constraints.sql (of tables and domains in the application schemas).
void load(const std::vector<pg::Result>& rows, Catalog& cat) {
  const pg::Result& r = rows[0];
  for (int i = 0; i < r.rows(); ++i) {
    Constraint c{};
    c.oid = oid_at(r, i, "oid");
    if (cat.is_extension_member({kPgConstraint, c.oid})) continue;
    c.name = str_at(r, i, "conname");
    c.schema = str_at(r, i, "nspname");
    c.type = char_at(r, i, "contype");
    c.relid = oid_at(r, i, "conrelid");
    c.typid = oid_at(r, i, "contypid");
    c.parentid = oid_at(r, i, "conparentid");
    c.indexid = oid_at(r, i, "conindid");
    c.is_local = r.get_bool(i, "conislocal");
    c.validated = r.get_bool(i, "convalidated");
    c.def = str_at(r, i, "def");
    cat.constraints.push_back(std::move(c));
  }
}

void write(const std::vector<pg::Result>&, DumpBuilder& out) {
  for (const auto& c : out.catalog().constraints) {
    if (c.relid == 0 || c.parentid != 0) continue;
    const Relation* rel = out.relation(c.relid);
    if (!rel || !out.is_app(*rel)) continue;
    const Relation& r = *rel;
    if (c.type == 'c' && (!c.is_local || c.validated)) continue;
    Rank rank = c.type == 'f' ? kRankForeignKey : c.type == 'c' || c.type == 'n' ? kRankCheck : kRankUniqueKey;
    std::string q = out.qname(r);
    // A NOT NULL cannot be added to a parent ONLY: it goes to the children too, as it came.
    std::string alter = c.type == 'n' ? "ALTER TABLE " + q : out.alter_table(r);
    std::string sql = alter + "\n    ADD CONSTRAINT " + quote_ident(c.name) + " " + c.def + ";\n";
    sql += out.comments_for({kPgConstraint, c.oid}, "CONSTRAINT " + quote_ident(c.name) + " ON " + q);
    std::vector<ObjRef> refs{{kPgConstraint, c.oid}};
    for (const auto& x : out.catalog().indexes) {
      if (x.constraint_oid != c.oid) continue;
      refs.push_back({kPgClass, x.oid});
      if (x.clustered) sql += "ALTER TABLE " + q + " CLUSTER ON " + quote_ident(x.name) + ";\n";
      if (x.replident) sql += "ALTER TABLE ONLY " + q + " REPLICA IDENTITY USING INDEX " + quote_ident(x.name) + ";\n";
      sql += out.comments_for({kPgClass, x.oid}, "INDEX " + quote_qualified(x.schema, x.name));
    }
    size_t id = out.add({{rank, r.schema, r.name, c.name}, kPost, "CONSTRAINT", r.schema, r.name + " " + c.name, r.owner, sql}, {});
    for (auto ref : refs) out.map_ref(ref, id);
  }
}

}  // namespace

Kind constraints() { return {"constraints", {{"constraints", Param::kAppSchemas}}, write, std::nullopt, load}; }

}  // namespace crm::engine::schema::kinds
