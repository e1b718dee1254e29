#pragma once
// Sequences: CREATE SEQUENCE with its options, owner, comments and OWNED BY. An identity
// column's sequence is written inside its column (table_columns), not here.
#include <string>

#include "engine/catalog/catalog.hpp"
#include "engine/schema/kinds/relations/relation_context.hpp"

namespace crm::engine::schema::kinds::relation {

// START WITH ... CACHE ... [CYCLE], each clause after `indent`; with_type: AS <type> first.
std::string sequence_options(const catalog::Sequence& s, bool with_type, const std::string& indent);

// q: the sequence's qualified, quoted name.
void write_sequence(RelationContext& ctx, const catalog::Relation& r, const std::string& q);

}  // namespace crm::engine::schema::kinds::relation
