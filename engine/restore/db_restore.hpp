#pragma once
// The database half of a restore, in ONE transaction that commits whole or leaves the target
// exactly as it was. Shared by `restore` and `verify --restore-into`.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/manifest.hpp"
#include "pgwire/connection.hpp"

namespace crm::engine {

struct DbRestoreInput {
  std::filesystem::path roles, schema, data;  // data may be .sql.zst
  std::filesystem::path migrations;           // <prefix>-migrations.sql: every supabase_migrations row (optional)
  std::filesystem::path applied_migrations;   // optional; used when the set has no migrations.sql (old layout)
  const Manifest* manifest = nullptr;         // optional (legacy sets have none)
  std::string rewrite_from, rewrite_to;       // both set: rewrite stored attachment URLs
  // The server's notices and warnings ("... does not exist, skipping") are shown one by one
  // through log only when verbose; otherwise one line counts them.
  bool verbose = false;
  std::function<void(const std::string& line)> log;
  std::function<void(std::uint64_t copy_bytes)> progress;
  // Longest wait for one lock (SQLSTATE 55P03 when exceeded); 0: the session's own setting.
  std::chrono::milliseconds lock_timeout{0};
};

// The set's roles, schema, data (plain or .zst), applied migrations and manifest; the set must
// outlive the input (it points at the manifest).
DbRestoreInput db_restore_input(const SetInfo& set);

struct DbRestoreStats {
  std::vector<std::string> dropped_schemas;
  std::vector<std::string> truncated_tables;
  std::uint64_t statements = 0;
  std::uint64_t deferred_statements = 0;  // post-data, run after the rows
  std::uint64_t refreshed_matviews = 0;
  std::uint64_t server_notices = 0;        // notices and warnings the server sent
  std::uint64_t copy_rows = 0;
  std::uint64_t copy_bytes = 0;
  std::uint64_t rewritten_rows = 0;
  double seconds = 0;
};

// Throws (pg::ScriptExecError naming file and line, pg::ScriptError, PgError) after rolling
// back; on return the transaction has committed. Throws TargetLacksPlatformError
// (platform_check.hpp) before anything runs when the target lacks roles, schemas or tables
// the set needs but does not create.
DbRestoreStats restore_database(pg::Connection& conn, const DbRestoreInput& in);

// Statement classification used to find where the post-data part of a schema file starts
// when it carries no marker (files written by pg_dump / the old scripts).
bool is_post_data_statement(std::string_view statement);

}  // namespace crm::engine
