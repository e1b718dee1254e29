#pragma once
// The schemas kind's loading, which the catalog loader runs before every other query: every
// other query is filtered by the schemas it finds.
#include "engine/catalog/catalog.hpp"
#include "pgwire/result.hpp"

namespace crm::engine::schema::kinds {

// Parses namespaces.sql's rows into cat.namespaces (the application's schemas, which
// schema.sql writes) and cat.managed (auth and storage); every other schema is left out.
void load_schemas(const pg::Result& rows, catalog::Catalog& cat);

}  // namespace crm::engine::schema::kinds
