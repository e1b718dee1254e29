#pragma once
// Tables (plain and partitioned, partitions and inheritance children): CREATE TABLE with its
// columns and valid CHECK constraints, ATTACH PARTITION, INHERITS, PARTITION BY, access method
// and storage options, owner, replica identity and comments.
#include <string>

#include "engine/catalog/catalog.hpp"
#include "engine/schema/kinds/relations/relation_context.hpp"

namespace crm::engine::schema::kinds::relation {

// q: the table's qualified, quoted name.
void write_table(RelationContext& ctx, const catalog::Relation& r, const std::string& q);

}  // namespace crm::engine::schema::kinds::relation
