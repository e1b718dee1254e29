#pragma once
// A table's columns: their definitions inside CREATE TABLE (type, collation, default or
// generation expression, NOT NULL, identity with its sequence), what an inherited column
// differs in from its parent's, the per-column settings (statistics, storage, options,
// compression), and the defaults set after CREATE TABLE because they call the application's
// functions.
#include <string>
#include <vector>

#include "engine/catalog/catalog.hpp"
#include "engine/schema/kinds/relations/relation_context.hpp"

namespace crm::engine::schema::kinds::relation {

// The pieces of one table's object in schema.sql, collected before its SQL is put together.
struct TableParts {
  std::vector<std::string> items;     // the definitions inside CREATE TABLE ( ... )
  std::string after;                  // statements right after CREATE TABLE and its owner
  std::string comments;               // comments on its NOT NULL and CHECK constraints
  std::vector<catalog::ObjRef> refs;  // the catalog objects the table's object stands for
};

// parent: the partitioned table when r is one of its partitions (written whole, in its own
// column order, and attached afterwards), else null. q: the table's qualified, quoted name.
void add_columns(RelationContext& ctx, const catalog::Relation& r, const std::string& q,
                 const catalog::Relation* parent, TableParts& parts);

}  // namespace crm::engine::schema::kinds::relation
