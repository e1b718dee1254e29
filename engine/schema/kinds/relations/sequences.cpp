#include "engine/schema/kinds/relations/sequences.hpp"

#include "engine/schema/dump_builder.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds::relation {

using namespace crm::engine::catalog;
using pg::quote_ident;

std::string sequence_options(const Sequence& s, bool with_type, const std::string& indent) {
  std::string o;
  if (with_type) o += indent + "AS " + s.type;
  o += indent + "START WITH " + s.start + indent + "INCREMENT BY " + s.increment + indent + "MINVALUE " + s.min +
       indent + "MAXVALUE " + s.max + indent + "CACHE " + s.cache;
  if (s.cycle) o += indent + "CYCLE";
  return o;
}

void write_sequence(RelationContext& ctx, const Relation& r, const std::string& q) {
  DumpBuilder& out = ctx.out;
  const auto& s = *r.sequence;
  if (s.owner_deptype == 'i') {
    auto t = ctx.relations_by_oid.find(s.owner_table);
    if (t != ctx.relations_by_oid.end()) out.map_ref_to_relation({kPgClass, r.oid}, t->second->oid);
    return;
  }
  std::string sql = "CREATE SEQUENCE IF NOT EXISTS " + q + sequence_options(s, true, "\n    ") + ";\n";
  sql += "ALTER SEQUENCE " + q + " OWNER TO " + quote_ident(r.owner) + ";\n";
  sql += out.comments_for({kPgClass, r.oid}, "SEQUENCE " + q);
  out.add({{kRankSequence, r.schema, r.name, ""}, kPre, "SEQUENCE", r.schema, r.name, r.owner, sql},
          {{kPgClass, r.oid}, {kPgType, r.reltype}});
  if (s.owner_deptype == 'a') {
    auto t = ctx.relations_by_oid.find(s.owner_table);
    std::string col = out.column_name(s.owner_table, s.owner_attnum);
    if (t != ctx.relations_by_oid.end() && !col.empty() && out.is_app(*t->second)) {
      std::string own = "ALTER SEQUENCE " + q + " OWNED BY " + out.qname(*t->second) + "." + quote_ident(col) + ";\n";
      size_t oid_obj = out.add({{kRankSeqOwnedBy, r.schema, r.name, ""}, kPre, "SEQUENCE OWNED BY", r.schema, r.name, r.owner, own}, {});
      out.add_edge({kPgClass, r.oid}, oid_obj);
      out.add_edge({kPgClass, t->second->oid}, oid_obj);
    }
  }
}

}  // namespace crm::engine::schema::kinds::relation
