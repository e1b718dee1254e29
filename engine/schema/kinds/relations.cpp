// Tables, sequences, views and materialized views, with owner, comments and ACLs. A kind too
// large for one file: its parts are in kinds/relations/ (the rows it loads into the shared
// catalog model, which every other kind reads; tables and their columns; sequences; views).
// Here: the kind itself, which relation goes to which writer, and the drop a restore needs.
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/relations/relation_context.hpp"
#include "engine/schema/kinds/relations/relation_rows.hpp"
#include "engine/schema/kinds/relations/sequences.hpp"
#include "engine/schema/kinds/relations/tables.hpp"
#include "engine/schema/kinds/relations/views.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using namespace crm::engine::catalog;

void write(const std::vector<pg::Result>&, DumpBuilder& out) {
  relation::RelationContext ctx(out);
  for (const auto& r : out.catalog().relations) {
    if (!out.is_app(r)) continue;
    std::string q = out.qname(r);
    switch (r.kind) {
      case 'S': relation::write_sequence(ctx, r, q); break;
      case 'r':
      case 'p': relation::write_table(ctx, r, q); break;
      case 'v':
      case 'm': relation::write_view(ctx, r, q); break;
    }
    if (r.kind == 'S' || r.kind == 'r' || r.kind == 'p' || r.kind == 'v' || r.kind == 'm')
      out.add_acl(kPgClass, r.oid, r.has_acl, r.kind == 'S' ? 'S' : 'r', (r.kind == 'S' ? "SEQUENCE " : "TABLE ") + q,
                  r.owner, r.schema, r.name, "relation");
  }
}

std::string drop(const pg::Result& rows, int row, const std::string& schema) {
  std::string_view k = rows.get(row, "relkind");
  const char* kind = k == "v" ? "VIEW" : k == "m" ? "MATERIALIZED VIEW" : k == "f" ? "FOREIGN TABLE"
                   : k == "S" ? "SEQUENCE" : "TABLE";
  return std::string("DROP ") + kind + " " + pg::quote_qualified(schema, rows.get(row, "name")) + " CASCADE";
}

}  // namespace

Kind relations() {
  return {"relations", {{"relations", Param::kAllSchemas}, {"columns", Param::kAppSchemas}}, write,
          Drop{"relations.drop", "pg_catalog.pg_class", drop}, relation::load_relations};
}

}  // namespace crm::engine::schema::kinds
