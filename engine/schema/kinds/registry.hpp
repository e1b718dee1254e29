#pragma once
// The object kinds, in the order a restore drops them (extensions first: dropping one takes
// its members along) and the catalog loader loads them (extensions first too: every kind
// leaves out their members). Their order in schema.sql comes from dependencies and ranks, not
// from this list.
#include <vector>

#include "engine/schema/kinds/kind.hpp"

namespace crm::engine::schema::kinds {

const std::vector<Kind>& registry();

}  // namespace crm::engine::schema::kinds
