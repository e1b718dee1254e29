#pragma once
// Where to connect: a postgresql:// URL, a key=value conninfo string, or nothing at all
// (then libpq reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, .pgpass ...).
#include <string>
#include <string_view>

namespace crm::pg {

struct ConnectOptions {
  std::string target;  // URL or conninfo; empty = the libpq environment
  int connect_timeout_seconds = 10;
  std::string application_name = "crmbackup-native";
};

// The local Supabase database, used when nothing else is configured.
inline constexpr std::string_view kLocalSupabaseUrl =
    "postgresql://postgres:postgres@127.0.0.1:54322/postgres";

// Picks the target in the documented order: explicit value, SUPABASE_DB_URL, DATABASE_URL,
// the libpq PG* variables (returned as empty target), then the local Supabase default.
std::string resolve_target(std::string_view explicit_value);

// A form of the target safe to print: the password (URL userinfo, password=..., or a
// PGPASSWORD-driven environment) never appears.
std::string redact_target(std::string_view target);

// message with every copy of target's password (and of target itself) replaced by its
// redacted form. libpq quotes the whole URL in some errors ("invalid URI ... \"postgresql://
// u:secret@[::1\""), so its messages pass through this before they are shown.
std::string scrub_target_secret(std::string message, std::string_view target);

}  // namespace crm::pg

namespace crm::pg {

// The database a target names ("" when it names none: libpq then uses the user name).
std::string target_database(std::string_view target);
// The same target with another database, as a key=value conninfo string (values quoted).
// Throws std::invalid_argument when the target cannot be parsed.
std::string target_with_database(std::string_view target, std::string_view dbname);

}  // namespace crm::pg
