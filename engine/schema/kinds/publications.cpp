// Publications and their tables and schemas. Supabase's own (supabase_realtime*) are written
// commented out; the application's tables in supabase_realtime are added to it.
#include <utility>

#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/role_filter.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgPublication;
using catalog::Oid;
using pg::quote_ident;
using pg::quote_literal;

// One publication's tables (in pg_publication_rel order) and schemas (15 and newer).
void add_members(Oid oid, const std::string& name, bool platform_sub, const std::vector<pg::Result>& rows,
                 DumpBuilder& out) {
  std::string q = quote_ident(name);
  const pg::Result& tables = rows[1];
  for (int i = 0; i < tables.rows(); ++i) {
    if (static_cast<Oid>(tables.get_int(i, "prpubid")) != oid) continue;
    const catalog::Relation* rel = out.relation(static_cast<Oid>(tables.get_int(i, "prrelid")));
    if (!rel || !out.is_app(*rel)) continue;
    std::string s = "ALTER PUBLICATION " + q + " ADD TABLE ONLY " + out.qname(*rel);
    if (auto cols = tables.get_opt(i, "cols")) s += " (" + *cols + ")";
    if (auto where = tables.get_opt(i, "qual")) s += " WHERE " + *where;
    s += ";\n";
    out.add({{kRankPublicationMember, rel->schema, rel->name, name}, kPost, "PUBLICATION TABLE", rel->schema,
             name + " " + rel->name, "", platform_sub ? comment_out(s) : s},
            {});
  }
  const pg::Result& schemas = rows[2];
  for (int i = 0; i < schemas.rows(); ++i) {
    if (static_cast<Oid>(schemas.get_int(i, "pnpubid")) != oid) continue;
    std::string s(schemas.get(i, "nspname"));
    if (!out.is_app_schema(s)) continue;
    std::string sql = "ALTER PUBLICATION " + q + " ADD TABLES IN SCHEMA " + quote_ident(s) + ";\n";
    out.add({{kRankPublicationMember, s, "", name}, kPost, "PUBLICATION TABLES IN SCHEMA", s, name, "",
             platform_sub ? comment_out(sql) : sql},
            {});
  }
}

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& pubs = rows[0];
  for (int i = 0; i < pubs.rows(); ++i) {
    Oid oid = static_cast<Oid>(pubs.get_int(i, "oid"));
    std::string name(pubs.get(i, "pubname")), owner(pubs.get(i, "owner"));
    std::string q = quote_ident(name);
    bool platform = name.rfind("supabase_realtime", 0) == 0;
    bool platform_sub = name.rfind("supabase_realtime_", 0) == 0;  // its membership is the platform's too
    std::string publish;
    static constexpr std::pair<const char*, const char*> kActions[] = {
        {"pubinsert", "insert"}, {"pubupdate", "update"}, {"pubdelete", "delete"}, {"pubtruncate", "truncate"}};
    for (auto [col, what] : kActions)
      if (pubs.get_bool(i, col)) publish += (publish.empty() ? "" : ", ") + std::string(what);
    std::string create = "CREATE PUBLICATION " + q + (pubs.get_bool(i, "puballtables") ? " FOR ALL TABLES" : "") +
                         " WITH (publish = " + quote_literal(publish) + ", publish_via_partition_root = " +
                         (pubs.get_bool(i, "pubviaroot") ? "true" : "false") + ");\n";
    std::string rest = "ALTER PUBLICATION " + q + " OWNER TO " + quote_ident(owner) + ";\n" +
                       out.comments_for({kPgPublication, oid}, "PUBLICATION " + q);
    std::string sql = (platform ? comment_out(create) : create) + (platform_sub ? comment_out(rest) : rest);
    out.add({{kRankPublication, "", name, ""}, kPost, "PUBLICATION", "", name, owner, sql}, {{kPgPublication, oid}});
    add_members(oid, name, platform_sub, rows, out);
  }
}

}  // namespace

// Publications are database-wide: a restore drops the ones schema.sql creates (db_restore).
Kind publications() {
  return {"publications",
          {{"publications", Param::kNone}, {"publication_rels", Param::kNone}, {"publication_schemas", Param::kNone}},
          write,
          std::nullopt};
}

}  // namespace crm::engine::schema::kinds
