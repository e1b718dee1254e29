#pragma once
// Connecting to the user's database with errors a user can act on: a stopped server, a wrong
// password and a wrong database name each get their own message (never the password).
#include "pgwire/connection.hpp"

namespace crm::engine {

// Throws std::runtime_error with an actionable message when the connection fails.
pg::Connection connect_database(const pg::ConnectOptions& opts);

}  // namespace crm::engine
