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

// A census of the catalogs, per object kind, keyed by pg_identify_object's identity (never an
// oid) so that two clusters compare: "<kind> <identity>" -> its definition as the server
// deparses it (pg_get_constraintdef/indexdef/viewdef/functiondef/triggerdef/ruledef), plus
// columns with type, default, generated kind, NOT NULL, identity; relation options, owners,
// ACLs (MAINTAIN on 17+; a NULL ACL as the default it stands for), populated state of
// materialized views (keys "populated ..."), sequences, types, policies,
// comments, default privileges, publications; and cluster-wide the roles and their
// memberships with ADMIN/INHERIT/SET (16+), and the casts created after initdb. Objects in schemas matching schema_regex; roles
// outside the pg_ reserved ones. Works on PostgreSQL 14 to 18.
std::map<std::string, std::string> catalog_census(const sandbox::PgCluster& c, const std::string& db,
                                                  const std::string& schema_regex);

// The catalog census of the schemas as one text (a line per entry, "populated" entries left
// out: a schema replayed without data has empty materialized views). The schema oracle where
// pg_dump cannot serve: pg_dump 15 refuses servers of 16 and newer.
std::string census_text(const sandbox::PgCluster& c, const std::string& db, const std::string& schema_regex);

// Whether the cluster's pg_dump can dump its server (the client tools are Debian's 15).
bool pg_dump_can_read(const sandbox::PgCluster& c);

// Readable difference of two maps ("" when equal), for test failure messages.
std::string diff_maps(const std::map<std::string, std::string>& expected,
                      const std::map<std::string, std::string>& actual);

}  // namespace crm::testsupport
