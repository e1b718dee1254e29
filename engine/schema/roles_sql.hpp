#pragma once
// roles.sql from pg_roles, pg_db_role_setting and pg_auth_members: what
// `pg_dumpall --roles-only --no-role-passwords --no-comments --quote-all-identifiers` writes,
// after Supabase's filtering (reserved roles commented out, NOSUPERUSER/NOREPLICATION dropped).
// Passwords are never read (pg_roles masks them) and never written.
#include "engine/io/sink.hpp"
#include "pgwire/connection.hpp"

namespace crm::engine::schema {

struct RolesOptions {
  // Also write `ALTER ROLE ... IN DATABASE <current database> SET ...` settings.
  bool per_database_settings = true;
};

// Runs inside the caller's transaction when there is one (see CatalogReadScope); never
// begins or commits it.
void write_roles_sql(pg::Connection& conn, Sink& out, const RolesOptions& opts = {});

}  // namespace crm::engine::schema
