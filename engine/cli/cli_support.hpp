#pragma once
// What every command shares: exit codes, the usage error, the connection settings, and the
// registry through which a parsed subcommand hands main() the work to run.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/errors.hpp"
#include "pgwire/conninfo.hpp"

namespace crm::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,          // the job failed (database, storage, disk ...)
  kExitUsage = 2,            // bad flags, bad BACKUP_DIR, unknown prefix ...
  kExitAttachmentsFailed = 3, // restore: the database was restored, some attachments were not
  kExitCopyFailed = 4,        // backup: the set is complete, a --copy-to repository did not get it
  kExitPassphrase = 5         // an encrypted set and a wrong passphrase, or none configured
  // 128 + signal: stopped by SIGINT/SIGTERM/SIGHUP after undoing the unfinished work
};

// Bad input from the user: printed as "error: ..." with exit code 2.
using UsageError = engine::UsageError;

// The work of the subcommand that was parsed; main() runs it inside the error guard. The
// callback also says whether the command was asked for --json (then a failure is printed as a
// JSON object on standard output too) and --verbose.
struct Registry {
  std::function<int()> action;
  bool json = false;
  bool verbose = false;
};

// --db-url with the documented fallbacks (SUPABASE_DB_URL, DATABASE_URL, PG*, local default).
struct DbOptions {
  std::string db_url;
  int connect_timeout = 10;
  void add_to(CLI::App& cmd);
  pg::ConnectOptions resolve() const;
};

// "zstd" or "zstd:LEVEL" -> level; "" -> 0 (no compression). Throws UsageError otherwise.
int parse_compress(const std::string& spec);

// Runs fn. An exception becomes "error: ..." on stderr and its exit code (error_report.hpp);
// with json, also the one JSON object on stdout: {"ok": false, "error": {...}, "exit_code": N}.
int run_guarded(const std::function<int()>& fn, bool json = false, bool verbose = false);

// A failure a command reports without throwing (a refused prompt, failed objects), printed the
// same way as a thrown one under --json. Returns exit_code.
int report_failure(bool json, const std::string& code, const std::string& message, const std::string& hint,
                   int exit_code);

// Each file under engine/cli/ registers one command (or one "dump" part).
void register_list(CLI::App& app, Registry& reg);
void register_prune(CLI::App& app, Registry& reg);
void register_passphrase(CLI::App& app, Registry& reg);
void register_backup(CLI::App& app, Registry& reg);
void register_restore(CLI::App& app, Registry& reg);
void register_verify(CLI::App& app, Registry& reg);
void register_dump_roles(CLI::App& dump, Registry& reg);
void register_dump_schema(CLI::App& dump, Registry& reg);
void register_dump_data(CLI::App& dump, Registry& reg);
void register_dump_attachments(CLI::App& dump, Registry& reg);

}  // namespace crm::cli
