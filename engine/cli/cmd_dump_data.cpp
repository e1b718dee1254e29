// crmbackup-native dump data: data.sql (or data.sql.zst) by parallel COPY under one snapshot.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "engine/cli/cli_support.hpp"
#include "engine/cli/jobs_option.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/format/human.hpp"
#include "engine/data/data_dump.hpp"
#include "engine/io/sink.hpp"

namespace crm::cli {
namespace {

struct DumpDataArgs {
  DbOptions db;
  OutputOptions printing;
  std::string output;
  unsigned jobs = 0;
  std::string compress;
  std::string migrations_output;
};

int run_dump_data(const DumpDataArgs& a) {
  int level = parse_compress(a.compress);
  engine::DataDumpOptions opts;
  opts.jobs = a.jobs;
  bool tty = ::isatty(2) && a.printing.show_progress();
  opts.progress = [tty](std::uint64_t bytes, std::uint64_t rows) {
    if (tty) std::cerr << "\r  data: " << engine::format_mb(bytes) << ", " << engine::format_count(rows) << " rows" << std::flush;
  };

  std::unique_ptr<engine::AtomicFile> file;
  std::unique_ptr<engine::FdSink> stdout_sink;
  engine::Sink* sink;
  std::filesystem::path out_path;
  if (a.output.empty() || a.output == "-") {
    stdout_sink = std::make_unique<engine::FdSink>(1, "standard output");
    sink = stdout_sink.get();
  } else {
    out_path = a.output;
    if (level > 0 && out_path.extension() != ".zst") out_path += ".zst";
    std::filesystem::path dir = out_path.parent_path().empty() ? "." : out_path.parent_path();
    if (!std::filesystem::is_directory(dir)) throw UsageError("output folder " + dir.string() + " does not exist");
    opts.spool_dir = dir;
    file = std::make_unique<engine::AtomicFile>(out_path);
    sink = file.get();
  }
  std::optional<engine::ZstdSink> zstd;
  if (level > 0) {
    zstd.emplace(*sink, level);
    sink = &*zstd;
  }

  engine::DataDumpResult res = engine::dump_data(a.db.resolve(), *sink, opts);
  if (zstd) zstd->finish();
  if (tty) std::cerr << "\n";

  if (!a.migrations_output.empty()) {
    engine::AtomicFile mig(a.migrations_output);
    for (const auto& v : res.applied_migrations) mig.write(v + "\n");
    mig.commit();
  }
  if (file) file->commit();
  std::cerr << fmt::format("Dumped {} tables ({} rows, {} of rows) and {} sequences{}{}\n",
                           res.tables.size(), res.total_rows, engine::format_mb(res.total_payload_bytes),
                           res.sequences.size(), file ? " to " : "", file ? out_path.string() : "");
  return kExitOk;
}

}  // namespace

void register_dump_data(CLI::App& dump, Registry& reg) {
  auto args = std::make_shared<DumpDataArgs>();
  auto* cmd = dump.add_subcommand(
      "data", "write data.sql: every table's rows (COPY) and sequence values, like "
              "supabase db dump --data-only --use-copy, over parallel connections sharing one snapshot");
  args->db.add_to(*cmd);
  args->printing.add_to(*cmd);
  cmd->add_option("-o,--output", args->output, "file to write (default: standard output)");
  add_jobs_option(*cmd, args->jobs);
  cmd->add_option("--compress", args->compress, "zstd or zstd:LEVEL: write FILE.zst (zstd -dc FILE | psql works)");
  cmd->add_option("--migrations-output", args->migrations_output,
                  "also write the applied migrations (supabase_migrations.schema_migrations), one per line");
  cmd->callback([args, &reg] {
    reg.verbose = args->printing.verbose;
    reg.action = [args] { return run_dump_data(*args); };
  });
}

}  // namespace crm::cli
