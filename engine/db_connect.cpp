#include "engine/db_connect.hpp"

#include <cstdlib>
#include <filesystem>

#include "engine/invocation.hpp"
#include "pgwire/error.hpp"

namespace crm::engine {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Which setting the target came from, re-derived in resolve_target's order: the same URL in a
// variable and on the command line is reported as the variable.
std::string target_origin(const std::string& target) {
  if (target.empty()) return "the PG* environment variables";
  if (target == pg::kLocalSupabaseUrl) return "the built-in local Supabase URL";
  if (target == env("SUPABASE_DB_URL")) return "SUPABASE_DB_URL";
  if (target == env("DATABASE_URL")) return "DATABASE_URL";
  return "--db-url";
}

// Where libpq took the password from: the target itself, then PGPASSWORD, then the password
// file. A wrong PGPASSWORD must not send the user to fix --db-url.
std::string password_origin(const std::string& target) {
  if (!target.empty() && pg::redact_target(target) != target) return "the password in " + target_origin(target);
  if (!env("PGPASSWORD").empty()) return "PGPASSWORD";
  std::string file = env("PGPASSFILE");
  if (file.empty() && !env("HOME").empty()) file = env("HOME") + "/.pgpass";
  std::error_code ec;
  if (!file.empty() && std::filesystem::exists(file, ec)) return "the password file " + file;
  return "no password (none in " + target_origin(target) + ", PGPASSWORD unset, no password file)";
}

}  // namespace

pg::Connection connect_database(const pg::ConnectOptions& opts) {
  try {
    return pg::Connection::open(opts);
  } catch (const pg::PgError& e) {
    // libpq gives no SQLSTATE for a failed connection: the message decides, and the error
    // carries the SQLSTATE the server would have sent so the CLI maps it like any other.
    std::string where = pg::redact_target(opts.target);
    std::string msg = e.server_message();
    if (msg.find("password authentication failed") != std::string::npos ||
        msg.find("no password supplied") != std::string::npos)
      throw pg::PgError("the database at " + where + " rejected the credentials: the password came from " +
                            password_origin(opts.target) + " (" + msg + ")",
                        "28P01", {}, "check the user and the password in " + password_origin(opts.target));
    if (msg.find("no pg_hba.conf entry") != std::string::npos)
      throw pg::PgError("the database at " + where + " does not accept this user from this host (" + msg + ")",
                        "28000", {}, "check the user in " + target_origin(opts.target) + " and the server's pg_hba.conf");
    if (msg.find("does not exist") != std::string::npos)
      throw pg::PgError("the database named in " + where + " does not exist: " + msg, "3D000", {},
                        "check the database name in " + target_origin(opts.target));
    std::string target = make_target();
    std::string hint = target.empty()
                           ? "start the database (for a local project: supabase start), or point --db-url or "
                             "SUPABASE_DB_URL at it"
                           : std::string("Start Supabase before ") +
                                 (target == "backup-database" ? "creating a backup" : "restoring") +
                                 ": make start-supabase";
    throw pg::PgError("Supabase does not appear to be running: cannot reach the database at " + where + " (" +
                          msg + ")",
                      "08006", {}, hint);
  }
}

std::string database_identity(pg::Connection& conn) {
  try {
    auto r = conn.exec("SELECT s.system_identifier::text || '/' || pg_catalog.current_database() AS id "
                       "FROM pg_catalog.pg_control_system() s");
    return std::string(r.get(0, "id"));
  } catch (const pg::PgError&) {
    return {};  // not allowed for this role: the other safety checks still apply
  }
}

}  // namespace crm::engine
