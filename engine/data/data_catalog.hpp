#pragma once
// What data.sql holds, read from the catalog inside the snapshot transaction: the tables whose
// rows are dumped (with their column lists), the sequences whose values are set, the applied
// migrations. The schema and table exclusions are those of `supabase db dump --data-only`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgwire/connection.hpp"

namespace crm::engine {

struct DataTable {
  std::uint32_t oid = 0;
  std::string schema;
  std::string name;
  std::string owner;
  std::vector<std::string> columns;  // not generated, not dropped, in attnum order
  std::uint64_t main_bytes = 0;      // pg_relation_size: what ctid ranges split
  std::uint64_t total_bytes = 0;     // pg_table_size (with TOAST): what scheduling orders by
  std::uint64_t block_size = 8192;
  // Extension configuration tables are dumped with the extension's own filter (as pg_dump).
  std::string extension_condition;
};

struct DataSequence {
  std::string schema;
  std::string name;
  std::string owner;
};

// Schemas whose data is never dumped (the spec's list, with its pg_* / timescaledb_* patterns).
bool is_excluded_data_schema(std::string_view schema);
// Individual tables left out: the platform's migration ledgers and storage system tables.
bool is_excluded_data_table(std::string_view schema, std::string_view table);

// Ordinary tables (leaf partitions included, partitioned parents, views, foreign and
// temporary tables excluded; unlogged included) that data.sql holds, sorted by schema, name.
std::vector<DataTable> list_data_tables(pg::Connection& conn);
std::vector<DataSequence> list_data_sequences(pg::Connection& conn);
// Reads last_value and is_called of every sequence (batched).
struct SequenceState {
  std::string last_value;
  bool is_called = false;
};
std::vector<SequenceState> read_sequence_states(pg::Connection& conn, const std::vector<DataSequence>& seqs);
// Versions in supabase_migrations.schema_migrations, ordered; empty when the table is absent.
std::vector<std::string> read_applied_migrations(pg::Connection& conn);

}  // namespace crm::engine
