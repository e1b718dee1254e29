#pragma once
// Oracles for "restore what you dumped and diff": per-table content checksums and sequence
// values, computed by the server itself so they do not depend on our code.
#include <map>
#include <string>

#include "fixtures/sandbox/pg_cluster.hpp"

namespace crm::testsupport {

// "schema.table" -> "rows:<n> md5:<hash of the rows' text, sorted>" for every ordinary or
// partitioned-leaf table whose schema matches schema_regex (a POSIX regex).
std::map<std::string, std::string> table_checksums(const sandbox::PgCluster& c, const std::string& db,
                                                   const std::string& schema_regex);

// "schema.sequence" -> "last_value is_called" for sequences whose schema matches.
std::map<std::string, std::string> sequence_values(const sandbox::PgCluster& c, const std::string& db,
                                                   const std::string& schema_regex);

// Readable difference of two maps ("" when equal), for test failure messages.
std::string diff_maps(const std::map<std::string, std::string>& expected,
                      const std::map<std::string, std::string>& actual);

}  // namespace crm::testsupport
