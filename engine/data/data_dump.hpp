#pragma once
// data.sql by parallel COPY under one snapshot: N worker connections import the coordinator's
// exported snapshot and stream tables (large ones split by ctid block ranges) while the calling
// thread merges them into ONE sequential file in a fixed order. The task at the head of the
// output streams straight to the sink from its worker; the others spool to unlinked temporary
// files and are appended when their turn comes, so memory stays bounded whatever the sizes.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/data/matviews.hpp"
#include "engine/io/sink.hpp"
#include "pgwire/connection.hpp"

namespace crm::engine {

// Worker connections when none are asked for: the number of cores, at least 2 (a server
// answers a second COPY while the first one's rows are written).
unsigned default_dump_jobs();
// More would hold as many server connections as a small Supabase plan allows in all.
constexpr unsigned kMaxDumpJobs = 64;

struct DataDumpOptions {
  // Worker connections; 0 = default_dump_jobs().
  unsigned jobs = 0;
  // An already-open coordinator inside a REPEATABLE READ transaction that exported
  // `snapshot_id` (the backup command dumps roles and schema on it first). When null, the
  // dumper opens its own coordinator. Used only from the calling thread.
  pg::Connection* coordinator = nullptr;
  std::string snapshot_id;
  // Called from the calling thread about 10 times a second and once at the end with the
  // COPY payload bytes and rows received so far (all tables).
  std::function<void(std::uint64_t bytes, std::uint64_t rows)> progress;
  // Tables whose main fork is larger than this are split into parts of about this size
  // (PostgreSQL 14+, which scans TID ranges; older servers dump them whole).
  std::uint64_t split_bytes = 12ull << 20;
  // Where non-head tables spool (unlinked files); empty = the system temp folder. The CLI
  // passes the output's folder so a full disk there fails the dump rather than /tmp.
  std::filesystem::path spool_dir;
  // Non-head data is held in memory up to this much (all tasks together) before it spills to
  // spool files: with the default split size a waiting part usually fits, and memory copies
  // are cheaper than the page cache on a machine whose cores the server needs.
  std::uint64_t spool_memory_bytes = 16ull << 20;
  // Workers pause (their COPY waits on the socket) while this much is spooled to disk and not
  // yet appended; the head task never waits, so this cannot deadlock.
  std::uint64_t spool_budget_bytes = 512ull << 20;
  // Rows are batched into chunks of about this size between libpq and the sink.
  std::size_t chunk_bytes = 1 << 20;
  // How long to wait for the ACCESS SHARE locks (a running ALTER TABLE blocks them).
  int lock_timeout_ms = 60000;
};

struct TableDumpInfo {
  std::string schema;
  std::string name;
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;  // COPY payload bytes (between the COPY line and "\.")
  std::string xxh3_128;     // of exactly those bytes, all of the table's parts in file order
  unsigned parts = 1;       // how many ctid ranges the table was split into
};

struct SequenceValue {
  std::string schema;
  std::string name;
  std::string last_value;
  bool is_called = false;
};

struct DataDumpResult {
  std::vector<TableDumpInfo> tables;      // in file order
  std::vector<SequenceValue> sequences;   // in file order (schema, name)
  std::vector<std::string> applied_migrations;  // supabase_migrations.schema_migrations, ordered
  // Every materialized view schema.sql creates, dependencies first; the populated ones are
  // refreshed at the end of data.sql and their rows digested.
  std::vector<MatviewState> matviews;
  std::string snapshot_time;   // now() of the snapshot transaction, UTC ISO-8601
  std::string server_version;  // e.g. "15.4"
  int server_version_num = 0;  // e.g. 150004
  std::uint64_t total_rows = 0;
  std::uint64_t total_payload_bytes = 0;
};

// Thrown when the dump fails; the message names the table (when one was involved) and the
// cause. The sink may hold a partial file: the caller must not commit it.
class DataDumpError : public std::runtime_error {
 public:
  DataDumpError(const std::string& message, std::string table)
      : std::runtime_error(message), table_(std::move(table)) {}
  const std::string& table() const { return table_; }

 private:
  std::string table_;
};

DataDumpResult dump_data(const pg::ConnectOptions& conn, Sink& out, const DataDumpOptions& opts);

}  // namespace crm::engine
