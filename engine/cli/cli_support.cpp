#include "engine/cli/cli_support.hpp"

#include <iostream>

#include "pgwire/error.hpp"

namespace crm::cli {

void DbOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--db-url", db_url,
                 "PostgreSQL URL (default: $SUPABASE_DB_URL, $DATABASE_URL, the PG* variables, "
                 "then postgresql://postgres:postgres@127.0.0.1:54322/postgres)");
  cmd.add_option("--connect-timeout", connect_timeout, "seconds to wait for the database")
      ->check(CLI::PositiveNumber);
}

pg::ConnectOptions DbOptions::resolve() const {
  return {.target = pg::resolve_target(db_url), .connect_timeout_seconds = connect_timeout};
}

// "zstd" or "zstd:LEVEL" -> level; "" -> no compression (0).
int parse_compress(const std::string& spec) {
  if (spec.empty()) return 0;
  if (spec == "zstd") return 3;
  if (spec.rfind("zstd:", 0) == 0) {
    std::string lvl = spec.substr(5);
    try {
      size_t used = 0;
      int level = std::stoi(lvl, &used);
      if (used == lvl.size() && level >= 1 && level <= 19) return level;
    } catch (const std::exception&) {
    }
  }
  throw UsageError("--compress must be zstd or zstd:LEVEL with LEVEL 1..19, got '" + spec + "'");
}

int run_guarded(const std::function<int()>& fn) {
  try {
    return fn();
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const engine::InterruptedError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 128 + e.signal_number();  // as a shell reports a process ended by that signal
  } catch (const pg::PgError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace crm::cli
