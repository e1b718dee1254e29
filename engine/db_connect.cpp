#include "engine/db_connect.hpp"

#include <stdexcept>

namespace crm::engine {

pg::Connection connect_database(const pg::ConnectOptions& opts) {
  try {
    return pg::Connection::open(opts);
  } catch (const pg::PgError& e) {
    std::string where = pg::redact_target(opts.target);
    std::string msg = e.server_message();
    if (msg.find("password authentication failed") != std::string::npos ||
        msg.find("no password supplied") != std::string::npos)
      throw std::runtime_error("the database rejected the credentials for " + where +
                               ": check the user and password in --db-url / SUPABASE_DB_URL (" + msg + ")");
    if (msg.find("does not exist") != std::string::npos)
      throw std::runtime_error("the database named in " + where + " does not exist: " + msg);
    throw std::runtime_error("Supabase does not appear to be running: cannot reach the database at " + where +
                             "\n  Start Supabase before creating a backup: make start-supabase\n  (" + msg + ")");
  }
}

}  // namespace crm::engine
