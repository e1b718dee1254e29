#pragma once
// Views and materialized views (the latter WITH NO DATA: the data step refreshes them), with
// options, check option, owner, column defaults or statistics targets, and comments.
#include <string>

#include "engine/catalog/catalog.hpp"
#include "engine/schema/kinds/relations/relation_context.hpp"

namespace crm::engine::schema::kinds::relation {

// q: the view's qualified, quoted name.
void write_view(RelationContext& ctx, const catalog::Relation& r, const std::string& q);

}  // namespace crm::engine::schema::kinds::relation
