#pragma once
// Before a restore touches anything: does the target have what the set needs but does not
// create itself? The Supabase platform's roles (anon, authenticated, service_role ...) that
// roles.sql and schema.sql grant to and hand objects to, and the platform's schemas and
// tables (auth.users, storage.objects ...) whose rows the set holds. A plain PostgreSQL
// database lacks them; without this check the restore would fail halfway with
// `role "authenticated" does not exist` after clearing the target (then rolled back).
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgwire/connection.hpp"

namespace crm::engine {

struct MissingPlatform {
  std::vector<std::string> roles, schemas, tables;
  bool empty() const { return roles.empty() && schemas.empty() && tables.empty(); }
};

// The target lacks part of the Supabase platform; nothing was changed.
class TargetLacksPlatformError : public std::runtime_error {
 public:
  explicit TargetLacksPlatformError(MissingPlatform m);
  const MissingPlatform& missing() const { return missing_; }

 private:
  MissingPlatform missing_;
};

// Roles one SQL statement refers to (grantees, owners, FOR ROLE, policy roles, ALTER ROLE)
// and roles it creates. Quoted names keep their case, unquoted ones are folded;
// PUBLIC/CURRENT_USER and the like are not roles.
void collect_role_references(std::string_view statement, std::set<std::string>& referenced,
                             std::set<std::string>& created);

// What of it the target lacks: roles, schemas and tables (schema, name). Read-only.
MissingPlatform find_missing_platform(pg::Connection& conn, const std::set<std::string>& roles,
                                      const std::vector<std::pair<std::string, std::string>>& tables);

}  // namespace crm::engine
