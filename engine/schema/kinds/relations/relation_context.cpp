#include "engine/schema/kinds/relations/relation_context.hpp"

#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/functions.hpp"

namespace crm::engine::schema::kinds::relation {

using namespace crm::engine::catalog;

RelationContext::RelationContext(DumpBuilder& builder) : out(builder), relations_by_oid(builder.relations_by_oid()) {
  for (const auto& r : out.catalog().relations)
    if (r.sequence && r.sequence->owner_deptype == 'i')
      identity_sequences[{r.sequence->owner_table, r.sequence->owner_attnum}] = &r;
  std::set<Oid> functions = dumped_functions(out.catalog());
  for (const auto& d : out.catalog().dependencies)
    if (d.obj.classid == kPgAttrdef && d.ref.classid == kPgProc && functions.count(d.ref.objid))
      defaults_calling_functions.insert(d.obj.objid);
}

}  // namespace crm::engine::schema::kinds::relation
