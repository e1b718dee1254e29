#pragma once
// One object kind of schema.sql in one place: the catalog queries it reads (kinds/<name>*.sql,
// version variants chosen by sql_files.hpp), how it parses their rows and the DDL it writes
// (write), and how a restore drops its objects from an application schema before schema.sql
// re-creates them (drop). registry.cpp lists the kinds; docs/architecture.md says how to add one.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgwire/result.hpp"

namespace crm::engine::schema {
class DumpBuilder;
}
namespace crm::engine::catalog {
struct Catalog;
}

namespace crm::engine::schema::kinds {

// What a catalog query's $1 holds.
enum class Param {
  kNone,        // no parameter
  kAppSchemas,  // oid[] of the application schemas
  kAllSchemas,  // oid[] of the application schemas and the managed ones (auth, storage)
};

struct Query {
  std::string_view stem;  // kinds/<stem>.sql and its .pgNN.sql variants
  Param param = Param::kNone;
};

// The restore's drop of the kind's objects in one schema: the query (kinds/<stem>.sql, $1 the
// schema's name) lists the objects that stand alone (not an extension's, not part of another
// object) with their oid in column "oid"; statement writes the DROP for one row.
struct Drop {
  std::string_view stem;
  std::string_view catalog;  // "pg_catalog.pg_collation": an earlier CASCADE may have taken the row
  std::string (*statement)(const pg::Result& rows, int row, const std::string& schema);
};

struct Kind {
  std::string_view name;
  // Run with the other catalog queries in one round trip; their results reach write in this
  // order (an empty result when the query does not exist on the server's version).
  std::vector<Query> queries;
  // Parses the rows and adds the kind's objects to the dump (a kind with a load reads its
  // objects from out.catalog() instead); nullptr for a kind that writes nothing itself.
  void (*write)(const std::vector<pg::Result>& rows, DumpBuilder& out) = nullptr;
  std::optional<Drop> drop;
  // For a kind other kinds read (relations, constraints, ...): parses its rows into the shared
  // Catalog model. The loader calls it for every kind in the registry's order, before any
  // write, so a kind may rely on what the kinds listed before it loaded (extension members
  // first). nullptr for a kind only its own write reads.
  void (*load)(const std::vector<pg::Result>& rows, catalog::Catalog& cat) = nullptr;
};

}  // namespace crm::engine::schema::kinds
