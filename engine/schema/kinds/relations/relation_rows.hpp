#pragma once
// The relations kind's load: its catalog rows parsed into the shared Catalog model, which
// every other kind reads (ACLs, comments, constraints, indexes, policies, triggers, ...).
#include <vector>

#include "engine/catalog/catalog.hpp"
#include "pgwire/result.hpp"

namespace crm::engine::schema::kinds::relation {

// rows[0]: relations.sql (application and managed schemas), rows[1]: columns.sql (the
// application's relations only; a managed table's columns are the platform's). An
// extension's relations are left out.
void load_relations(const std::vector<pg::Result>& rows, catalog::Catalog& cat);

}  // namespace crm::engine::schema::kinds::relation
