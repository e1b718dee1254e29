#include "engine/schema/kinds/relations/views.hpp"

#include <vector>

#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/relations/relation_options.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds::relation {

using namespace crm::engine::catalog;
using pg::quote_ident;

void write_view(RelationContext& ctx, const Relation& r, const std::string& q) {
  DumpBuilder& out = ctx.out;
  std::string sql;
  std::string check;
  for (const auto& o : r.reloptions) {
    if (o == "check_option=local") check = "\n  WITH LOCAL CHECK OPTION";
    if (o == "check_option=cascaded") check = "\n  WITH CASCADED CHECK OPTION";
  }
  std::string opts = format_options(r.reloptions, "", "check_option");
  std::string body = strip_semicolon(r.viewdef.value_or(""));
  std::string kw;
  if (r.kind == 'v') {
    kw = "VIEW";
    sql = "CREATE OR REPLACE VIEW " + q + (opts.empty() ? "" : " WITH (" + opts + ")") + " AS\n" + body + check + ";\n";
  } else {
    kw = "MATERIALIZED VIEW";
    sql = "CREATE MATERIALIZED VIEW IF NOT EXISTS " + q +
          (r.access_method.empty() ? "" : " USING " + quote_ident(r.access_method)) +
          (opts.empty() ? "" : " WITH (" + opts + ")") + " AS\n" + body + "\n  WITH NO DATA;\n";
  }
  sql += "ALTER " + std::string(r.kind == 'v' ? "VIEW " : "MATERIALIZED VIEW ") + q + " OWNER TO " + quote_ident(r.owner) + ";\n";
  std::string after;
  for (const auto& c : r.columns) {
    std::string col = "ALTER " + kw + " " + q + " ALTER COLUMN " + quote_ident(c.name);
    if (r.kind == 'v' && c.default_expr) after += col + " SET DEFAULT " + *c.default_expr + ";\n";
    if (r.kind == 'm' && c.stat_target >= 0) after += col + " SET STATISTICS " + std::to_string(c.stat_target) + ";\n";
  }
  sql += after + out.comments_for({kPgClass, r.oid}, kw + " " + q, q);
  std::vector<ObjRef> refs{{kPgClass, r.oid}, {kPgType, r.reltype}};
  if (r.rewrite_oid) refs.push_back({kPgRewrite, r.rewrite_oid});
  size_t id = out.add({{r.kind == 'v' ? kRankView : kRankMatview, r.schema, r.name, ""}, kPre, kw, r.schema, r.name, r.owner, sql}, {});
  for (auto ref : refs) out.map_ref(ref, id);
}

}  // namespace crm::engine::schema::kinds::relation
