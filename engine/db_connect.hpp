#pragma once
// Connecting to the user's database with errors a user can act on: a stopped server, a wrong
// password and a wrong database name each get their own message (never the password).
#include <string>

#include "pgwire/connection.hpp"

namespace crm::engine {

// Throws pg::PgError with an actionable message, a hint and the SQLSTATE the failure stands for
// (08006 unreachable, 28P01/28000 rejected credentials, 3D000 no such database).
pg::Connection connect_database(const pg::ConnectOptions& opts);

// The identity recorded in manifests ("<system identifier>/<database>"), or "" when the
// server does not let this role read it. Backup records it; verify --restore-into refuses a
// target that has the backup's.
std::string database_identity(pg::Connection& conn);

}  // namespace crm::engine
