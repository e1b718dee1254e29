#include "pgwire/pg_version.hpp"

#include <stdexcept>

#include "pgwire/connection.hpp"

namespace crm::pg {

PgVersion PgVersion::of(const Connection& conn) { return PgVersion(conn.server_version()); }

std::string PgVersion::text() const { return std::to_string(major()) + "." + std::to_string(num_ % 10000); }

void PgVersion::require_supported(std::string_view action) const {
  if (supported()) return;
  throw std::runtime_error(std::string(action) + " supports PostgreSQL " + std::to_string(kOldestMajor) + " to " +
                           std::to_string(kNewestMajor) + "; the server is PostgreSQL " + text() + " (" +
                           std::to_string(num_) + ")");
}

}  // namespace crm::pg
