// Rules of the application's tables and views (a view's own _RETURN rule is the view).
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgRewrite;
using catalog::Oid;
using pg::quote_ident;

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for_each_own_row(r, out.catalog(), kPgRewrite, [&](int i, Oid oid) {
    const catalog::Relation* rel = out.relation(static_cast<Oid>(r.get_int(i, "ev_class")));
    if (!rel || !out.is_app(*rel)) return;
    std::string name(r.get(i, "rulename"));
    std::string sql = strip_semicolon(std::string(r.get(i, "def"))) + ";\n";
    std::string at = "ALTER TABLE " + out.qname(*rel) + " ";
    std::string_view enabled = r.get(i, "ev_enabled");
    if (enabled == "D") sql += at + "DISABLE RULE " + quote_ident(name) + ";\n";
    if (enabled == "R") sql += at + "ENABLE REPLICA RULE " + quote_ident(name) + ";\n";
    if (enabled == "A") sql += at + "ENABLE ALWAYS RULE " + quote_ident(name) + ";\n";
    sql += out.comments_for({kPgRewrite, oid}, "RULE " + quote_ident(name) + " ON " + out.qname(*rel));
    out.add({{kRankRule, rel->schema, rel->name, name}, kPost, "RULE", rel->schema, rel->name + " " + name, rel->owner, sql},
            {{kPgRewrite, oid}});
  });
}

}  // namespace

// Dropped with their table.
Kind rules() { return {"rules", {{"rules", Param::kAppSchemas}}, write, std::nullopt}; }

}  // namespace crm::engine::schema::kinds
