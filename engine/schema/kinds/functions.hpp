#pragma once
// What other parts of the writer need to know about the functions kind.
#include <set>

#include "engine/catalog/catalog.hpp"

namespace crm::engine::schema::kinds {

// The functions, procedures and aggregates schema.sql writes (the application's own: not an
// extension's, not a range type's constructor), by oid.
std::set<catalog::Oid> dumped_functions(const catalog::Catalog& cat);

}  // namespace crm::engine::schema::kinds
