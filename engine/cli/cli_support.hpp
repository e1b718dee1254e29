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
  kExitAttachmentsFailed = 3 // restore: the database was restored, some attachments were not
};

// Bad input from the user: printed as "error: ..." with exit code 2.
using UsageError = engine::UsageError;

// The work of the subcommand that was parsed; main() runs it inside the error guard.
struct Registry {
  std::function<int()> action;
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

// Runs fn, mapping exceptions to messages on stderr and exit codes.
int run_guarded(const std::function<int()>& fn);

// Each file under engine/cli/ registers one command (or one "dump" part).
void register_list(CLI::App& app, Registry& reg);
void register_prune(CLI::App& app, Registry& reg);
void register_backup(CLI::App& app, Registry& reg);
void register_restore(CLI::App& app, Registry& reg);
void register_verify(CLI::App& app, Registry& reg);
void register_dump_roles(CLI::App& dump, Registry& reg);
void register_dump_schema(CLI::App& dump, Registry& reg);
void register_dump_data(CLI::App& dump, Registry& reg);
void register_dump_attachments(CLI::App& dump, Registry& reg);

}  // namespace crm::cli
