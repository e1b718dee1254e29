#pragma once
// Consistent reads across several connections: one coordinator exports its snapshot and the
// workers adopt it, so every COPY sees the database at the same instant.
#include <string>

#include "pgwire/connection.hpp"

namespace crm::pg {

// Starts a REPEATABLE READ READ ONLY transaction on conn and returns pg_export_snapshot().
// The snapshot stays valid while that transaction is open.
std::string begin_exported_snapshot(Connection& conn);

// Starts a REPEATABLE READ READ ONLY transaction on conn that sees snapshot_id.
void begin_with_snapshot(Connection& conn, const std::string& snapshot_id);

}  // namespace crm::pg
