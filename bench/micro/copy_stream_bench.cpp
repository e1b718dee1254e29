// COPY-stream handling, the hot path of `dump data`: rows arrive from the server through
// pg::Connection::copy_out, are batched into chunks on row boundaries and go to a sink that
// hashes (XXH3-128) or writes them. Compared with a bare libpq PQgetCopyData loop, the
// floor of what any client can do on this machine, to show the wrapper's own cost.
// One throw-away PostgreSQL 15 cluster is started for the whole program (a few seconds) with a
// CRM-like table of about 64 MB. Run: build-bench/bench/crm_micro_bench --benchmark_filter=Copy
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "engine/data/data_format.hpp"
#include "engine/io/hash.hpp"
#include "engine/io/sink.hpp"
#include "fixtures/sandbox/pg_cluster.hpp"
#include "pgwire/conninfo.hpp"
#include "pgwire/connection.hpp"

namespace {

constexpr const char* kCopySql = R"(COPY "public"."bench_rows" ("id", "name", "email", "created_at", "payload") TO STDOUT)";

// The cluster lives for the whole program: starting one per benchmark would dominate the run.
struct BenchDb {
  std::unique_ptr<crm::sandbox::PgCluster> cluster;
  std::uint64_t table_bytes = 0;
};

BenchDb& bench_db() {
  static std::once_flag once;
  static BenchDb db;
  std::call_once(once, [] {
    db.cluster = crm::sandbox::PgCluster::start();
    // Text, numbers, timestamps and jsonb with quotes and backslashes, like the CRM's contacts.
    db.cluster->psql(
        "CREATE TABLE public.bench_rows (id bigint PRIMARY KEY, name text, email text, "
        "created_at timestamptz, payload jsonb);"
        "INSERT INTO public.bench_rows SELECT i, 'Contact ' || i || E' O''Neil \\\\ Zoë', "
        "'user' || i || '@example.com', timestamptz '2024-01-01' + i * interval '1 minute', "
        "jsonb_build_object('email', 'u' || i || '@example.com', 'type', 'Work', 'tags', "
        "jsonb_build_array(i % 7, i % 11), 'note', repeat('lorem ipsum ', 1 + i % 6)) "
        "FROM generate_series(1, 350000) i;");
    db.cluster->psql("VACUUM ANALYZE public.bench_rows;");
    auto conn = crm::pg::Connection::open(crm::pg::ConnectOptions{.target = db.cluster->url()});
    db.table_bytes = conn.copy_out(kCopySql, [](std::string_view) {}).bytes;
  });
  return db;
}

crm::pg::Connection open_conn() { return crm::pg::Connection::open(crm::pg::ConnectOptions{.target = bench_db().cluster->url()}); }

void BM_CopyOutToXxh3(benchmark::State& state) {
  auto conn = open_conn();
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    crm::engine::Xxh3Hasher h;
    auto st = conn.copy_out(kCopySql, [&](std::string_view chunk) { h.update(chunk); },
                            static_cast<size_t>(state.range(0)));
    bytes += st.bytes;
    benchmark::DoNotOptimize(h.hex());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CopyOutToXxh3)->Arg(64 << 10)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

// What `dump data` does per table: block header, rows into an AtomicFile (buffering,
// counting, hashing, periodic writeback), footer; the file is committed (fsync) each time.
void BM_CopyOutToAtomicFile(benchmark::State& state) {
  auto conn = open_conn();
  auto dir = std::filesystem::temp_directory_path() / "crm-copy-bench";
  std::filesystem::create_directories(dir);
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    crm::engine::AtomicFile f(dir / "data.sql");
    f.write(crm::engine::copy_block_header("public", "bench_rows", "postgres",
                                           {"id", "name", "email", "created_at", "payload"}));
    conn.copy_out(kCopySql, [&](std::string_view chunk) { f.write(chunk); });
    f.write(crm::engine::copy_block_footer());
    f.commit();
    bytes += f.bytes();
  }
  std::filesystem::remove_all(dir);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CopyOutToAtomicFile)->Unit(benchmark::kMillisecond)->UseRealTime();

// The floor: libpq's own loop, hashing each row as it comes, no batching.
void BM_CopyOutRawLibpqToXxh3(benchmark::State& state) {
  auto conn = open_conn();
  PGconn* c = conn.raw();
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    crm::engine::Xxh3Hasher h;
    PGresult* r = PQexec(c, kCopySql);
    if (PQresultStatus(r) != PGRES_COPY_OUT) throw std::runtime_error(PQerrorMessage(c));
    PQclear(r);
    char* buf = nullptr;
    int n;
    while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
      h.update({buf, static_cast<size_t>(n)});
      bytes += static_cast<std::uint64_t>(n);
      PQfreemem(buf);
    }
    if (n == -2) throw std::runtime_error(PQerrorMessage(c));
    while ((r = PQgetResult(c)) != nullptr) PQclear(r);
    benchmark::DoNotOptimize(h.hex());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CopyOutRawLibpqToXxh3)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
