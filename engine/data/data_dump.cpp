#include "engine/data/data_dump.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/data/data_catalog.hpp"
#include "engine/data/data_format.hpp"
#include "engine/data/data_plan.hpp"
#include "engine/data/spool_file.hpp"
#include "engine/errors.hpp"
#include "engine/io/hash.hpp"
#include "pgwire/pg_version.hpp"
#include "pgwire/quote.hpp"
#include "pgwire/snapshot.hpp"

namespace crm::engine {
namespace {

// Thrown inside a COPY callback to unwind a worker once another part of the dump failed.
struct Aborted {};

// Session settings of every dump connection, as pg_dump: no timeouts from the role's
// defaults (Supabase sets statement_timeout), and row_security off so a table protected by
// RLS fails loudly instead of silently dumping only the visible rows.
constexpr const char* kDumpSessionSql =
    "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0; "
    "SET row_security = off; SET synchronize_seqscans = off; SET search_path = ''";

struct TaskState {
  // kSpool: the worker appends to its spool file. kReplay: the merger is appending the spool
  // to the output and the worker waits. kLive: the worker writes straight to the output.
  enum class Mode { kSpool, kReplay, kLive };
  Mode mode = Mode::kSpool;
  bool writing = false;  // a spool append is in flight outside the lock
  bool done = false;
  // Spooled bytes: first in memory (while the shared memory budget allows), then, once the
  // task has spilled, all further bytes in its file, so replaying memory then file keeps order.
  std::vector<std::string> memory;
  std::uint64_t memory_bytes = 0;
  std::unique_ptr<SpoolFile> spool;
  std::uint64_t spooled = 0;
  pg::CopyOutStats stats;
};

struct TableState {
  Xxh3Hasher hasher;
  std::uint64_t bytes = 0;
  std::uint64_t rows = 0;
};

std::string table_label(const DataTable& t, const CopyTask& task) {
  std::string s = "table " + pg::quote_qualified(t.schema, t.name);
  if (task.parts > 1) s += " (part " + std::to_string(task.part + 1) + " of " + std::to_string(task.parts) + ")";
  return s;
}

class DumpRun {
 public:
  DumpRun(const pg::ConnectOptions& connect, Sink& out, const DataDumpOptions& opts, std::string snapshot_id,
          const std::vector<DataTable>& tables, const DataPlan& plan)
      : connect_(connect),
        out_(out),
        opts_(opts),
        snapshot_id_(std::move(snapshot_id)),
        tables_(tables),
        plan_(plan),
        tasks_(plan.tasks.size()),
        table_states_(tables.size()) {
    spool_dir_ = opts.spool_dir.empty() ? std::filesystem::temp_directory_path() : opts.spool_dir;
  }

  // Runs the workers and merges their output; writes the COPY blocks to the sink.
  void run(unsigned jobs) {
    std::vector<std::thread> workers;
    workers.reserve(jobs);
    for (unsigned i = 0; i < jobs; ++i) workers.emplace_back([this] { worker(); });
    try {
      merge();
    } catch (const std::exception& e) {
      fail(e.what(), "");
    }
    {
      std::lock_guard lk(m_);
      if (!abort_ && next_task_ < tasks_.size()) fail_locked("internal error: merge ended early", "");
    }
    for (auto& w : workers) w.join();
    report_progress();
    if (abort_) throw DataDumpError(error_, error_table_);
  }

  const TableState& table_state(size_t i) const { return table_states_[i]; }
  std::uint64_t rows_received() const { return rows_received_.load(); }
  std::uint64_t bytes_received() const { return bytes_received_.load(); }

 private:
  void fail(const std::string& message, const std::string& table) {
    std::lock_guard lk(m_);
    fail_locked(message, table);
  }

  // The first failure wins; the other workers are cancelled so they stop at once instead of
  // finishing their tables.
  void fail_locked(const std::string& message, const std::string& table) {
    if (!abort_) {
      abort_ = true;
      abort_flag_.store(true);
      error_ = message;
      error_table_ = table;
      for (pg::Connection* c : live_connections_) c->cancel();
    }
    cv_.notify_all();
  }

  void worker() {
    std::optional<pg::Connection> conn;
    try {
      conn.emplace(pg::Connection::open(connect_));
      conn->exec(kDumpSessionSql);
      // A worker's ACCESS SHARE queues behind an ALTER TABLE that waits for the coordinator's
      // own lock: without a limit the dump would wait for itself forever.
      if (opts_.lock_timeout_ms > 0) conn->exec("SET lock_timeout = '" + std::to_string(opts_.lock_timeout_ms) + "ms'");
      pg::begin_with_snapshot(*conn, snapshot_id_);
    } catch (const std::exception& e) {
      fail(std::string("a dump worker could not join the snapshot: ") + e.what(), "");
      return;
    }
    {
      std::lock_guard lk(m_);
      if (abort_) return;
      live_connections_.push_back(&*conn);
    }
    for (;;) {
      size_t k;
      {
        std::lock_guard lk(m_);
        if (abort_ || next_task_ >= tasks_.size()) break;
        k = next_task_++;
      }
      run_task(*conn, k);
    }
    std::lock_guard lk(m_);
    live_connections_.erase(std::find(live_connections_.begin(), live_connections_.end(), &*conn));
  }

  void run_task(pg::Connection& conn, size_t k) {
    const CopyTask& task = plan_.tasks[k];
    const DataTable& table = tables_[task.table];
    TaskState& ts = tasks_[k];
    TableState& tbl = table_states_[task.table];
    bool live = false;
    auto on_chunk = [&](std::string_view chunk) {
      if (!live) {
        std::unique_lock lk(m_);
        auto fits_in_memory = [&] { return !ts.spool && memory_in_use_ + chunk.size() <= opts_.spool_memory_bytes; };
        cv_.wait(lk, [&] {
          return abort_ || ts.mode == TaskState::Mode::kLive ||
                 (ts.mode == TaskState::Mode::kSpool &&
                  (fits_in_memory() || spool_outstanding_ < opts_.spool_budget_bytes));
        });
        if (abort_) throw Aborted{};
        if (ts.mode == TaskState::Mode::kLive) {
          live = true;
        } else if (fits_in_memory()) {
          memory_in_use_ += chunk.size();
          ts.writing = true;
          lk.unlock();
          std::string copy(chunk);
          lk.lock();
          ts.memory.push_back(std::move(copy));
          ts.memory_bytes += chunk.size();
          ts.writing = false;
          cv_.notify_all();
          lk.unlock();
          count(chunk);
          return;
        } else {
          ts.writing = true;
          lk.unlock();
          try {
            if (!ts.spool) ts.spool = std::make_unique<SpoolFile>(spool_dir_);
            ts.spool->append(chunk);
          } catch (...) {
            lk.lock();
            ts.writing = false;
            cv_.notify_all();
            throw;
          }
          lk.lock();
          ts.writing = false;
          ts.spooled += chunk.size();
          spool_outstanding_ += chunk.size();
          cv_.notify_all();
          lk.unlock();
          count(chunk);
          return;
        }
      }
      // This task is the output's head: the merger waits for it, so this thread owns the sink.
      out_.write(chunk);
      tbl.hasher.update(chunk);
      tbl.bytes += chunk.size();
      count(chunk);
      if (abort_flag_.load(std::memory_order_relaxed)) throw Aborted{};
    };
    try {
      pg::CopyOutStats stats = conn.copy_out(task.sql, on_chunk, opts_.chunk_bytes);
      std::lock_guard lk(m_);
      ts.stats = stats;
      ts.done = true;
      cv_.notify_all();
    } catch (const Aborted&) {
    } catch (const std::exception& e) {
      std::lock_guard lk(m_);
      if (!abort_) fail_locked("dumping " + table_label(table, task) + ": " + e.what(),
                               pg::quote_qualified(table.schema, table.name));
    }
  }

  void count(std::string_view chunk) {
    bytes_received_.fetch_add(chunk.size(), std::memory_order_relaxed);
    // Text COPY escapes newlines inside values, so every '\n' ends a row (memchr: rows are
    // long, and a byte-by-byte count costs more than the rest of the client's work).
    std::uint64_t rows = 0;
    for (const char *p = chunk.data(), *end = p + chunk.size();
         (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr; ++p)
      ++rows;
    rows_received_.fetch_add(rows, std::memory_order_relaxed);
  }

  void report_progress() {
    if (opts_.progress) opts_.progress(bytes_received_.load(), rows_received_.load());
  }

  void merge() {
    for (size_t k = 0; k < tasks_.size(); ++k) {
      const CopyTask& task = plan_.tasks[k];
      const DataTable& table = tables_[task.table];
      try {
        if (!merge_task(k)) return;
      } catch (const std::exception& e) {
        fail("writing " + table_label(table, task) + ": " + e.what(), pg::quote_qualified(table.schema, table.name));
        return;
      }
    }
  }

  // Appends task k to the output: its spooled part first, then it goes live until done.
  // Returns false when the dump was aborted.
  bool merge_task(size_t k) {
    {
      const CopyTask& task = plan_.tasks[k];
      const DataTable& table = tables_[task.table];
      TableState& tbl = table_states_[task.table];
      TaskState& ts = tasks_[k];
      if (task.part == 0) out_.write(copy_block_header(table.schema, table.name, table.owner, table.columns));
      std::uint64_t spooled, in_memory;
      std::vector<std::string> memory;
      {
        std::unique_lock lk(m_);
        cv_.wait(lk, [&] { return abort_ || !ts.writing; });
        if (abort_) return false;
        ts.mode = TaskState::Mode::kReplay;
        spooled = ts.spooled;
        in_memory = ts.memory_bytes;
        memory.swap(ts.memory);
      }
      for (std::string& piece : memory) {
        out_.write(piece);
        tbl.hasher.update(piece);
        tbl.bytes += piece.size();
        std::string().swap(piece);
      }
      if (spooled > 0)
        ts.spool->replay(spooled, [&](std::string_view piece) {
          out_.write(piece);
          tbl.hasher.update(piece);
          tbl.bytes += piece.size();
        });
      {
        std::unique_lock lk(m_);
        spool_outstanding_ -= spooled;
        memory_in_use_ -= in_memory;
        ts.mode = TaskState::Mode::kLive;
        cv_.notify_all();
        while (!abort_ && !ts.done) {
          cv_.wait_for(lk, std::chrono::milliseconds(100));
          lk.unlock();
          report_progress();
          lk.lock();
        }
        if (abort_) return false;
        ts.spool.reset();
        tbl.rows += ts.stats.rows;
      }
      if (task.part + 1 == task.parts) out_.write(copy_block_footer());
    }
    return true;
  }

  const pg::ConnectOptions& connect_;
  Sink& out_;
  const DataDumpOptions& opts_;
  std::string snapshot_id_;
  const std::vector<DataTable>& tables_;
  const DataPlan& plan_;
  std::filesystem::path spool_dir_;

  std::mutex m_;
  std::condition_variable cv_;
  bool abort_ = false;
  std::atomic<bool> abort_flag_{false};
  std::string error_;
  std::string error_table_;
  size_t next_task_ = 0;
  std::uint64_t spool_outstanding_ = 0;
  std::uint64_t memory_in_use_ = 0;
  std::vector<TaskState> tasks_;
  std::vector<TableState> table_states_;
  std::vector<pg::Connection*> live_connections_;
  std::atomic<std::uint64_t> bytes_received_{0};
  std::atomic<std::uint64_t> rows_received_{0};
};

// Takes ACCESS SHARE locks so no table is dropped or rewritten under the dump, waiting at most
// the configured time for a running ALTER TABLE or similar.
void lock_tables(pg::Connection& coord, const std::vector<DataTable>& tables, int lock_timeout_ms) {
  if (tables.empty()) return;
  std::string previous(coord.exec("SELECT pg_catalog.current_setting('lock_timeout')").get(0, 0));
  coord.exec_params("SELECT pg_catalog.set_config('lock_timeout', $1, true)",
                    {std::to_string(lock_timeout_ms) + "ms"});
  constexpr size_t kBatch = 500;
  for (size_t start = 0; start < tables.size(); start += kBatch) {
    std::string sql = "LOCK TABLE ";
    for (size_t i = start; i < std::min(tables.size(), start + kBatch); ++i) {
      if (i > start) sql += ", ";
      sql += "ONLY " + pg::quote_qualified(tables[i].schema, tables[i].name);
    }
    sql += " IN ACCESS SHARE MODE";
    try {
      coord.exec(sql);
    } catch (const pg::PgError& e) {
      if (e.sqlstate() == "55P03")
        throw LockTimeoutError("could not lock the tables to dump within " + std::to_string(lock_timeout_ms) +
                                " ms: another session holds a conflicting lock (a running ALTER TABLE, "
                                "VACUUM FULL ...); try again when it has finished");
      throw;
    }
  }
  coord.exec_params("SELECT pg_catalog.set_config('lock_timeout', $1, true)", {previous});
}

}  // namespace

unsigned default_dump_jobs() { return std::max(2u, std::thread::hardware_concurrency()); }

DataDumpResult dump_data(const pg::ConnectOptions& connect, Sink& out, const DataDumpOptions& opts) {
  std::optional<pg::Connection> own;
  pg::Connection* coord = opts.coordinator;
  std::string snapshot_id = opts.snapshot_id;
  if (coord) {
    if (snapshot_id.empty())
      throw std::invalid_argument("dump_data: a coordinator connection needs its exported snapshot id");
  } else {
    own.emplace(pg::Connection::open(connect));
    own->exec(kDumpSessionSql);
    snapshot_id = pg::begin_exported_snapshot(*own);
    coord = &*own;
  }

  DataDumpResult result;
  {
    auto r = coord->exec(
        "SELECT pg_catalog.current_setting('server_version') AS v, "
        "pg_catalog.current_setting('server_version_num')::pg_catalog.int4 AS n, "
        "pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS t");
    result.server_version = std::string(r.get(0, "v"));
    result.server_version_num = static_cast<int>(r.get_int(0, "n"));
    result.snapshot_time = std::string(r.get(0, "t"));
  }
  std::vector<DataTable> tables = list_data_tables(*coord);
  lock_tables(*coord, tables, opts.lock_timeout_ms);
  std::vector<DataSequence> seqs = list_data_sequences(*coord);
  std::vector<SequenceState> seq_states = read_sequence_states(*coord, seqs);
  result.applied_migrations = read_applied_migrations(*coord);

  unsigned jobs = opts.jobs ? opts.jobs : default_dump_jobs();
  pg::PgVersion(result.server_version_num).require_supported("data dump");
  DataPlan plan = plan_data_dump(tables, opts.split_bytes, jobs > 1 && pg::PgVersion(result.server_version_num).at_least(14));
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, plan.tasks.size()));

  out.write(data_file_header(result.server_version));
  DumpRun run(connect, out, opts, snapshot_id, tables, plan);
  if (jobs > 0) run.run(jobs);

  std::vector<unsigned> parts(tables.size(), 0);
  for (const auto& task : plan.tasks) ++parts[task.table];
  for (size_t ti : plan.table_order) {
    const DataTable& t = tables[ti];
    const auto& st = run.table_state(ti);
    result.tables.push_back({t.schema, t.name, st.rows, st.bytes, st.hasher.hex(), parts[ti]});
    result.total_rows += st.rows;
    result.total_payload_bytes += st.bytes;
  }
  for (size_t i = 0; i < seqs.size(); ++i) {
    out.write(sequence_setval(seqs[i].schema, seqs[i].name, seqs[i].owner, seq_states[i].last_value,
                              seq_states[i].is_called));
    result.sequences.push_back({seqs[i].schema, seqs[i].name, seq_states[i].last_value, seq_states[i].is_called});
  }
  // After every row they may read; the restore moves them after its post-data part.
  result.matviews = list_matviews(*coord);
  for (auto& m : result.matviews) {
    if (!m.populated) continue;
    out.write(refresh_matview_sql(m));
    if (!m.reads_matview) m.content = digest_matview_query(*coord, m.schema, m.name);
  }
  out.write(data_file_trailer());
  if (own) own->exec("COMMIT");
  return result;
}

}  // namespace crm::engine
