#pragma once
// schema.sql generated from the catalogs: what `pg_dump --schema-only --quote-all-identifiers`
// writes after Supabase's filtering (../shared/spec/supabase-backup-format.md), in three parts:
//
//   pre-data    schemas, extensions, types, functions, text search dictionaries and
//               configurations, sequences, tables (columns, defaults,
//               identity, generated columns, NOT NULL, CHECK), views, materialized views,
//               ownership and comments of all of these
//   kPostDataMarker
//   post-data   PRIMARY KEY/UNIQUE/EXCLUDE/FOREIGN KEY and NOT VALID CHECK constraints,
//               indexes, triggers, rules, RLS and policies, publications, grants, default
//               privileges
//   kManagedSchemaMarker (optional)
//   the application's own objects in platform-managed schemas: triggers on auth/storage
//   tables that call functions outside the platform schemas, and policies on auth/storage
//   tables.
//
// Both markers are line comments written between statements, never inside one; a restore
// that splits the file must use a statement splitter (a comment, a literal or a function body
// may contain the same text).
#include <string>
#include <string_view>
#include <vector>

#include "engine/io/sink.hpp"
#include "pgwire/connection.hpp"

namespace crm::engine::schema {

inline constexpr std::string_view kPostDataMarker = "-- crmbackup-native: post-data";
inline constexpr std::string_view kManagedSchemaMarker = "-- crmbackup-native: managed-schema objects";

struct SchemaOptions {
  // The "beyond the old system" section (`--no-managed-schema-objects` turns it off).
  bool managed_schema_objects = true;
};

struct SchemaDumpResult {
  size_t pre_data_objects = 0;
  size_t post_data_objects = 0;
  size_t managed_schema_objects = 0;
  // Byte offsets (from the start of what was written) of the marker lines, for a restore
  // that wants to split without parsing: the post-data marker, and the managed-schema
  // marker (npos when the section is left out).
  size_t post_data_offset = std::string::npos;
  size_t managed_schema_offset = std::string::npos;
  std::vector<std::string> schemas;   // the application schemas written (sorted)
  std::vector<std::string> warnings;  // e.g. dependency cycles that had to be broken
};

// Runs inside the caller's transaction when there is one (see CatalogReadScope); never
// begins or commits it and leaves its settings as they were.
SchemaDumpResult write_schema_sql(pg::Connection& conn, Sink& out, const SchemaOptions& opts = {});

}  // namespace crm::engine::schema
