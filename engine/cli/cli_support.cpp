#include "engine/cli/cli_support.hpp"

#include <iostream>

#include "engine/cli/error_report.hpp"

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

int run_guarded(const std::function<int()>& fn, bool json, bool verbose) {
  try {
    return fn();
  } catch (...) {
    ErrorReport r = classify_error(std::current_exception());
    std::cerr << "error: " << r.human << "\n";
    if (verbose) std::cerr << "  (code " << r.code << ", exit code " << r.exit_code << ")\n";
    if (json) std::cout << error_json(r) << "\n" << std::flush;
    return r.exit_code;
  }
}

int report_failure(bool json, const std::string& code, const std::string& message, const std::string& hint,
                   int exit_code) {
  if (json) std::cout << error_json({code, message, hint, exit_code, message}) << "\n" << std::flush;
  return exit_code;
}

}  // namespace crm::cli
