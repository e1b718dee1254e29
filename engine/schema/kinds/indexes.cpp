// Indexes that implement no constraint (those go with their constraint) and are not a
// partition's copy of its parent's. Loaded into the shared catalog model (load): a constraint
// folds in its index. Dropped with their table.
#include "engine/catalog/row_fields.hpp"
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using namespace crm::engine::catalog;
using pg::quote_ident;
using pg::quote_qualified;

// pg_get_indexdef writes "ON ONLY" for an index on a partitioned table; without ONLY the
// server creates (or attaches) the partitions' indexes itself.
std::string drop_on_only(const std::string& def) {
  size_t p = def.find('"');
  if (p == std::string::npos) return def;
  ++p;
  while (p < def.size()) {  // skip the quoted index name ("" is an escaped quote)
    if (def[p] == '"') {
      if (p + 1 < def.size() && def[p + 1] == '"') { p += 2; continue; }
      break;
    }
    ++p;
  }
  static const std::string needle = "\" ON ONLY ";
  if (def.compare(p, needle.size(), needle) == 0) return def.substr(0, p) + "\" ON " + def.substr(p + needle.size());
  return def;
}

// rows[0]: indexes.sql (every index of the application schemas' tables).
void load(const std::vector<pg::Result>& rows, Catalog& cat) {
  const pg::Result& r = rows[0];
  for (int i = 0; i < r.rows(); ++i) {
    Index x{};
    x.oid = oid_at(r, i, "indexrelid");
    if (cat.is_extension_member({kPgClass, x.oid})) continue;
    x.relid = oid_at(r, i, "indrelid");
    x.schema = str_at(r, i, "nspname");
    x.name = str_at(r, i, "relname");
    x.def = str_at(r, i, "def");
    x.clustered = r.get_bool(i, "indisclustered");
    x.replident = r.get_bool(i, "indisreplident");
    x.is_partition_child = r.get_bool(i, "is_child");
    x.constraint_oid = oid_at(r, i, "con");
    cat.indexes.push_back(std::move(x));
  }
}

void write(const std::vector<pg::Result>&, DumpBuilder& out) {
  for (const auto& x : out.catalog().indexes) {
    if (x.constraint_oid || x.is_partition_child) continue;
    const Relation* rel = out.relation(x.relid);
    if (!rel || !out.is_app(*rel)) continue;
    const Relation& r = *rel;
    std::string def = r.kind == 'p' ? drop_on_only(x.def) : x.def;
    std::string sql = def + ";\n";
    if (x.clustered) sql += "ALTER TABLE " + out.qname(r) + " CLUSTER ON " + quote_ident(x.name) + ";\n";
    if (x.replident) sql += "ALTER TABLE ONLY " + out.qname(r) + " REPLICA IDENTITY USING INDEX " + quote_ident(x.name) + ";\n";
    sql += out.comments_for({kPgClass, x.oid}, "INDEX " + quote_qualified(x.schema, x.name));
    out.add({{kRankIndex, x.schema, x.name, ""}, kPost, "INDEX", x.schema, x.name, r.owner, sql}, {{kPgClass, x.oid}});
  }
}

}  // namespace

Kind indexes() { return {"indexes", {{"indexes", Param::kAppSchemas}}, write, std::nullopt, load}; }

}  // namespace crm::engine::schema::kinds
