#pragma once
// The kinds' catalog queries, embedded at build time from engine/schema/kinds/*.sql (see
// cmake/embed_sql.cmake), and the choice of a query's version variant.
//
// A query is named by its stem ("collations"). `<stem>.sql` is the variant for the oldest
// supported server; `<stem>.pgNN.sql` replaces it from PostgreSQL NN on (pgcopydb's way). A
// query that only exists from some version on has no base file: older servers skip it.
#include <optional>
#include <string_view>
#include <vector>

#include "pgwire/pg_version.hpp"

namespace crm::engine::schema::kinds {

struct SqlFile {
  std::string_view name;  // "collations.pg17.sql"
  std::string_view text;
};

// Every embedded file, sorted by name (generated source).
const std::vector<SqlFile>& sql_files();

// The variant of stem for server version v: the file with the highest NN not above v's major
// (the base file counting as the oldest). nullopt when the query does not exist on v yet;
// throws std::logic_error when no file of that stem is embedded at all (a typo in a kind).
std::optional<std::string_view> query_for(std::string_view stem, pg::PgVersion v,
                                          const std::vector<SqlFile>& files = sql_files());

}  // namespace crm::engine::schema::kinds
