// schema.sql generation against `pg_dump --schema-only` on the CRM fixture, in the same run
// on the same database (issue 3's goal: at most one fifth of pg_dump's wall time).
// Prints the median of N runs of: the library call (connect + read + write to memory), the
// CLI as a process (`crmbackup-native dump schema -o FILE`), and pg_dump as a process.
//   crm_schema_bench [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/io/sink.hpp"
#include "engine/schema/schema_sql.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/pg_cluster.hpp"
#include "fixtures/sandbox/process.hpp"
#include "pgwire/connection.hpp"

using namespace crm;
using Clock = std::chrono::steady_clock;

namespace {

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class F>
double time_ms(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  auto cluster = sandbox::PgCluster::start();
  sandbox::load_platform(*cluster, "postgres");
  sandbox::load_crm_schema(*cluster, "postgres");
  std::string url = cluster->url("postgres");
  auto out_file = std::filesystem::temp_directory_path() / ("crm-schema-bench-" + std::to_string(::getpid()) + ".sql");
  auto bin = sandbox::binary_path("crmbackup-native");
  std::string pg_dump = "/usr/lib/postgresql/15/bin/pg_dump";
  if (const char* d = std::getenv("CRM_PG_BINDIR")) pg_dump = std::string(d) + "/pg_dump";

  std::vector<double> lib, cli, ref;
  size_t bytes = 0, ref_bytes = 0;
  for (int i = 0; i < runs; ++i) {
    lib.push_back(time_ms([&] {
      auto conn = pg::Connection::open({.target = url});
      engine::StringSink s;
      engine::schema::write_schema_sql(conn, s);
      bytes = s.str().size();
    }));
    cli.push_back(time_ms([&] {
      auto r = sandbox::run_process({bin, "dump", "schema", "--db-url", url, "--output", out_file.string()});
      if (r.exit_code != 0) std::fprintf(stderr, "crmbackup-native failed: %s\n", r.err.c_str());
    }));
    ref.push_back(time_ms([&] {
      auto r = sandbox::run_process({pg_dump, "--schema-only", "--quote-all-identifiers", "--dbname", url});
      if (r.exit_code != 0) std::fprintf(stderr, "pg_dump failed: %s\n", r.err.c_str());
      ref_bytes = r.out.size();
    }));
  }
  std::filesystem::remove(out_file);
  double l = median_ms(lib), c = median_ms(cli), p = median_ms(ref);
  std::printf("schema.sql on the CRM fixture, median of %d runs\n", runs);
  std::printf("  library (connect + generate): %8.1f ms  (%zu bytes)\n", l, bytes);
  std::printf("  crmbackup-native dump schema: %8.1f ms\n", c);
  std::printf("  pg_dump --schema-only:        %8.1f ms  (%zu bytes)\n", p, ref_bytes);
  std::printf("  ratio library/pg_dump: %.2f   CLI/pg_dump: %.2f   (goal <= 0.20)\n", l / p, c / p);
  return 0;
}
