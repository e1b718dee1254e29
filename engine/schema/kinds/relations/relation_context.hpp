#pragma once
// What the writers of the relations kind (tables, sequences, views) share while they write
// one schema.sql: the builder, the relations by oid, which identity sequence belongs to which
// column, and which column defaults call one of the application's functions.
#include <map>
#include <set>
#include <utility>

#include "engine/catalog/catalog.hpp"

namespace crm::engine::schema {
class DumpBuilder;
}

namespace crm::engine::schema::kinds::relation {

struct RelationContext {
  explicit RelationContext(DumpBuilder& out);

  DumpBuilder& out;
  const std::map<catalog::Oid, const catalog::Relation*>& relations_by_oid;
  // (table oid, attnum) -> the sequence of that identity column: written inside the column.
  std::map<std::pair<catalog::Oid, int>, const catalog::Relation*> identity_sequences;
  // The pg_attrdef oids of the defaults that call one of the application's functions.
  std::set<catalog::Oid> defaults_calling_functions;
};

}  // namespace crm::engine::schema::kinds::relation
