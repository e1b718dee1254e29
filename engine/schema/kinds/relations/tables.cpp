#include "engine/schema/kinds/relations/tables.hpp"

#include <stdexcept>

#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/relations/relation_options.hpp"
#include "engine/schema/kinds/relations/table_columns.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds::relation {
namespace {

using namespace crm::engine::catalog;
using pg::quote_ident;

// The partitioned table r is a partition of, when it is one.
const Relation* partition_parent(const RelationContext& ctx, const Relation& r) {
  if (!r.is_partition || r.parents.empty()) return nullptr;
  auto it = ctx.relations_by_oid.find(r.parents[0]);
  return it == ctx.relations_by_oid.end() ? nullptr : it->second;
}

// The valid CHECK constraints, written inside CREATE TABLE (a NOT VALID one is added after the
// data, by the constraints kind).
void add_checks(const RelationContext& ctx, const Relation& r, const std::string& q, const Relation* parent,
                TableParts& parts) {
  for (const auto& c : ctx.out.catalog().constraints) {
    if (c.relid != r.oid || c.type != 'c') continue;
    if ((!c.is_local && !parent) || !c.validated) continue;  // a partition needs its parent's checks to attach
    parts.refs.push_back({kPgConstraint, c.oid});
    parts.items.push_back("CONSTRAINT " + quote_ident(c.name) + " " + c.def);
    parts.comments += ctx.out.comments_for({kPgConstraint, c.oid}, "CONSTRAINT " + quote_ident(c.name) + " ON " + q);
  }
}

void add_attach_partition(RelationContext& ctx, const Relation& r, const std::string& q, const Relation& parent) {
  std::string attach = "ALTER TABLE ONLY " + ctx.out.qname(parent) + " ATTACH PARTITION " + q + " " + *r.partbound + ";\n";
  size_t id = ctx.out.add({{kRankTable, r.schema, r.name, "attach"}, kPre, "TABLE ATTACH", r.schema, r.name, r.owner, attach}, {});
  ctx.out.add_edge({kPgClass, r.oid}, id);
  ctx.out.add_edge({kPgClass, parent.oid}, id);
}

std::string inherits_clause(const RelationContext& ctx, const Relation& r, const std::string& q) {
  std::string sql = "\nINHERITS (";
  for (size_t i = 0; i < r.parents.size(); ++i) {
    auto it = ctx.relations_by_oid.find(r.parents[i]);
    if (it == ctx.relations_by_oid.end()) throw std::runtime_error("table " + q + " inherits from a table in a left-out schema");
    sql += (i ? ", " : "") + ctx.out.qname(*it->second);
  }
  return sql + ")";
}

}  // namespace

void write_table(RelationContext& ctx, const Relation& r, const std::string& q) {
  DumpBuilder& out = ctx.out;
  TableParts parts;
  parts.refs = {{kPgClass, r.oid}, {kPgType, r.reltype}};
  const Relation* parent = partition_parent(ctx, r);
  add_columns(ctx, r, q, parent, parts);
  add_checks(ctx, r, q, parent, parts);
  std::string sql = std::string("CREATE ") + (r.persistence == 'u' ? "UNLOGGED " : "") + "TABLE IF NOT EXISTS " + q;
  sql += " (\n";
  for (size_t i = 0; i < parts.items.size(); ++i) sql += "    " + parts.items[i] + (i + 1 < parts.items.size() ? ",\n" : "\n");
  sql += ")";
  if (parent && r.partbound) add_attach_partition(ctx, r, q, *parent);
  if (!parent && !r.parents.empty()) sql += inherits_clause(ctx, r, q);
  if (r.partkey) sql += "\nPARTITION BY " + *r.partkey;
  if (!r.access_method.empty()) sql += "\nUSING " + quote_ident(r.access_method);
  std::string opts = format_options(r.reloptions);
  std::string topts = format_options(r.toast_reloptions, "toast.");
  if (!topts.empty()) opts += (opts.empty() ? "" : ", ") + topts;
  if (!opts.empty()) sql += "\nWITH (" + opts + ")";
  sql += ";\n";
  sql += "ALTER TABLE " + q + " OWNER TO " + quote_ident(r.owner) + ";\n";
  sql += parts.after;
  if (r.replident == 'f') sql += "ALTER TABLE ONLY " + q + " REPLICA IDENTITY FULL;\n";
  if (r.replident == 'n') sql += "ALTER TABLE ONLY " + q + " REPLICA IDENTITY NOTHING;\n";
  sql += out.comments_for({kPgClass, r.oid}, "TABLE " + q, q) + parts.comments;
  size_t id = out.add({{kRankTable, r.schema, r.name, ""}, kPre, "TABLE", r.schema, r.name, r.owner, sql}, {});
  for (auto ref : parts.refs) out.map_ref(ref, id);
}

}  // namespace crm::engine::schema::kinds::relation
