// The objects of kinds schema.sql does not write (foreign tables and servers, user mappings,
// operators, ...), loaded into the catalog so that schema.sql reports them instead of leaving
// them out silently. Taking a kind out of unsupported.sql is part of adding it.
#include "engine/catalog/row_fields.hpp"
#include "engine/schema/kinds/kind.hpp"

namespace crm::engine::schema::kinds {
namespace {

using namespace crm::engine::catalog;

// rows[0]: unsupported.sql; its "nsp" is 0 for a kind outside schemas. Needs the schemas and
// the extension members loaded before.
void load(const std::vector<pg::Result>& rows, Catalog& cat) {
  const pg::Result& r = rows[0];
  for (int i = 0; i < r.rows(); ++i) {
    if (cat.is_extension_member({oid_at(r, i, "cls"), oid_at(r, i, "oid")})) continue;
    std::string schema;
    for (const auto& n : cat.namespaces)
      if (n.oid == oid_at(r, i, "nsp")) schema = n.name;
    cat.unsupported.push_back({str_at(r, i, "kind"), schema, str_at(r, i, "name")});
  }
}

}  // namespace

Kind unsupported() { return {"unsupported", {{"unsupported", Param::kAppSchemas}}, nullptr, std::nullopt, load}; }

}  // namespace crm::engine::schema::kinds
