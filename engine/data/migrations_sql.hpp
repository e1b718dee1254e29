#pragma once
// <prefix>-migrations.sql: every table of the `supabase_migrations` schema (the Supabase CLI's
// migration history: schema_migrations with version, name, statements, created_by ...,
// seed_files, whatever the source's CLI version created), every row and every column. The
// platform owns that schema and data.sql leaves it out, as `supabase db dump` does; this part
// carries it so `supabase migration list` sees the same history after a restore.
//
// The file replays with psql on its own: it creates the schema and tables only when missing,
// adds columns the target's tables lack, deletes the target's rows and loads the source's with
// COPY naming its columns (the target's extra columns get their defaults).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/data/row_set_hash.hpp"
#include "engine/io/sink.hpp"
#include "pgwire/connection.hpp"

namespace crm::engine {

inline constexpr const char* kMigrationsSchema = "supabase_migrations";

struct MigrationsTable {
  std::string schema, name;
  std::vector<std::string> columns;  // in the COPY's order
  RowSetDigest content;
};

// Writes the part from the connection's current snapshot; returns what it holds (an empty
// list when the source has no such schema: the file then only says so).
std::vector<MigrationsTable> write_migrations_sql(pg::Connection& conn, Sink& out);

// The tables, columns and row digests in a migrations.sql file (for verify). Throws
// pg::ScriptError naming the file and line when it cannot be split.
std::vector<MigrationsTable> read_migrations_sql(const std::filesystem::path& file);

}  // namespace crm::engine
