// The engine's SQL executor against a real PostgreSQL 15 and the CRM fixture: it replays what
// our dumper wrote (plain and zstd) and what pg_dump writes, with the same result as psql; an
// error late in the data leaves the target as it was and names file and line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "engine/data/data_dump.hpp"
#include "engine/io/sink.hpp"
#include "engine/io/zstd_reader.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "pgwire/connection.hpp"
#include "pgwire/quote.hpp"
#include "pgwire/script/script_executor.hpp"
#include "tests/support/db_compare.hpp"

using namespace crm;
namespace fs = std::filesystem;

namespace {

constexpr const char* kDataSchemas = "^(public|auth|storage)$";
const char* kLeftOut[] = {"auth.schema_migrations", "storage.migrations", "storage.prefixes",
                          "storage.s3_multipart_uploads", "storage.s3_multipart_uploads_parts",
                          "storage.buckets_analytics", "storage.buckets_vectors", "storage.vector_indexes",
                          "storage.iceberg_namespaces", "storage.iceberg_tables"};

class ScriptExecutorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      cluster_ = sandbox::start_crm_cluster(8.0, 11).release();
      dir_ = new fs::path(fs::temp_directory_path() / ("crm-exec-test-" + std::to_string(::getpid())));
      fs::create_directories(*dir_);
      cluster_->create_database("platform_ref");
      sandbox::load_platform(*cluster_, "platform_ref");
      // Our data.sql, plain and zstd.
      engine::DataDumpOptions opts;
      opts.jobs = 2;
      opts.split_bytes = 1 << 20;
      opts.spool_dir = *dir_;
      {
        engine::AtomicFile f(*dir_ / "data.sql");
        result_ = new engine::DataDumpResult(engine::dump_data({.target = cluster_->url()}, f, opts));
        f.commit();
      }
      {
        engine::AtomicFile f(*dir_ / "data.sql.zst");
        engine::ZstdSink z(f, 3);
        engine::dump_data({.target = cluster_->url()}, z, opts);
        z.finish();
        f.commit();
      }
      // The old restore clears the target's auth/storage/application rows first.
      std::string truncate = "TRUNCATE ";
      for (size_t i = 0; i < result_->tables.size(); ++i)
        truncate += (i ? ", " : "") + pg::quote_qualified(result_->tables[i].schema, result_->tables[i].name);
      std::ofstream(*dir_ / "clear.sql") << truncate << " CASCADE;\n";
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete cluster_;
    std::error_code ec;
    if (dir_) fs::remove_all(*dir_, ec);
    delete dir_;
    delete result_;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, ""); }

  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // A database with the platform and the CRM schema, as a restore target.
  static std::string platform_target(const std::string& name) {
    cluster_->create_database(name);
    sandbox::load_platform(*cluster_, name);
    sandbox::load_crm_schema(*cluster_, name);
    return name;
  }

  static pg::Connection connect(const std::string& db) { return pg::Connection::open({.target = cluster_->url(db)}); }

  // Runs files through the executor in ONE transaction.
  static pg::ExecutorStats exec_files(const std::string& db, const std::vector<fs::path>& files,
                                      const pg::ExecutorOptions& opts = {}) {
    auto conn = connect(db);
    pg::Transaction tx(conn);
    pg::ExecutorStats total;
    for (const auto& f : files) {
      auto src = engine::open_script_source(f.string());
      pg::SqlSplitter sp(*src, f.filename().string());
      auto st = pg::execute_script(conn, sp, opts);
      total.statements += st.statements;
      total.copy_rows += st.copy_rows;
      total.copy_blocks += st.copy_blocks;
      total.skipped += st.skipped;
    }
    tx.commit();
    return total;
  }

  static void expect_data_like_source(const std::string& db) {
    auto src = testsupport::table_checksums(*cluster_, "postgres", kDataSchemas);
    auto dst = testsupport::table_checksums(*cluster_, db, kDataSchemas);
    auto ref = testsupport::table_checksums(*cluster_, "platform_ref", kDataSchemas);
    for (const char* t : kLeftOut) {
      // Not in data.sql: the target keeps what its platform holds.
      EXPECT_EQ(dst[t], ref[t]) << t;
      src.erase(t);
      dst.erase(t);
    }
    EXPECT_GT(src.size(), 15u);
    EXPECT_EQ(testsupport::diff_maps(src, dst), "");
    EXPECT_EQ(testsupport::diff_maps(testsupport::sequence_values(*cluster_, "postgres", kDataSchemas),
                                     testsupport::sequence_values(*cluster_, db, kDataSchemas)),
              "");
  }

  static sandbox::PgCluster* cluster_;
  static fs::path* dir_;
  static engine::DataDumpResult* result_;
  static std::string setup_error_;
};
sandbox::PgCluster* ScriptExecutorTest::cluster_ = nullptr;
fs::path* ScriptExecutorTest::dir_ = nullptr;
engine::DataDumpResult* ScriptExecutorTest::result_ = nullptr;
std::string ScriptExecutorTest::setup_error_;

}  // namespace

TEST_F(ScriptExecutorTest, PsqlAndTheExecutorRestoreOurDumpIdentically) {
  for (const auto& t : result_->tables)
    for (const char* left_out : kLeftOut) EXPECT_NE(t.schema + "." + t.name, left_out);
  std::string by_psql = platform_target("by_psql");
  fs::path both = *dir_ / "clear-and-data.sql";
  std::ofstream(both) << read(*dir_ / "clear.sql") << read(*dir_ / "data.sql");
  cluster_->psql_file(both.string(), by_psql, true);
  expect_data_like_source(by_psql);

  std::string by_exec = platform_target("by_exec");
  auto st = exec_files(by_exec, {*dir_ / "clear.sql", *dir_ / "data.sql"});
  EXPECT_EQ(st.copy_blocks, result_->tables.size());
  EXPECT_EQ(st.copy_rows, result_->total_rows);
  expect_data_like_source(by_exec);
  EXPECT_EQ(testsupport::diff_maps(testsupport::table_checksums(*cluster_, by_psql, kDataSchemas),
                                   testsupport::table_checksums(*cluster_, by_exec, kDataSchemas)),
            "");

  std::string by_zstd = platform_target("by_zstd");
  exec_files(by_zstd, {*dir_ / "clear.sql", *dir_ / "data.sql.zst"});
  expect_data_like_source(by_zstd);
}

TEST_F(ScriptExecutorTest, ReplaysPgDumpsOwnPlainOutputLikePsql) {
  // Schema and data of the whole database, with pg_dump's \restrict lines and comments.
  fs::path full = *dir_ / "pg_dump-full.sql";
  std::ofstream(full) << cluster_->pg_dump({"--quote-all-identifiers"}, "postgres");
  ASSERT_NE(read(full).find("\n\\restrict "), std::string::npos);
  cluster_->create_database("pgd_psql");
  cluster_->create_database("pgd_exec");
  cluster_->psql_file(full.string(), "pgd_psql", true);
  auto st = exec_files("pgd_exec", {full});
  EXPECT_GT(st.statements, 100u);
  EXPECT_GT(st.copy_blocks, 20u);
  const char* all = "^(public|auth|storage|realtime|supabase_migrations|extensions)$";
  auto src = testsupport::table_checksums(*cluster_, "postgres", all);
  EXPECT_EQ(testsupport::diff_maps(src, testsupport::table_checksums(*cluster_, "pgd_psql", all)), "");
  EXPECT_EQ(testsupport::diff_maps(src, testsupport::table_checksums(*cluster_, "pgd_exec", all)), "");
  EXPECT_EQ(testsupport::diff_maps(testsupport::sequence_values(*cluster_, "pgd_psql", all),
                                   testsupport::sequence_values(*cluster_, "pgd_exec", all)),
            "");
  // The schema is the same too: pg_dump of both targets agrees.
  auto schema = [&](const std::string& db) {
    std::istringstream in(cluster_->pg_dump({"--schema-only"}, db));
    std::string out, line;
    while (std::getline(in, line))
      if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) out += line + "\n";
    return out;
  };
  EXPECT_EQ(schema("pgd_psql"), schema("pgd_exec"));
}

TEST_F(ScriptExecutorTest, ErrorInTheLastCopyBlockLeavesTheTargetUnchangedAndNamesFileAndLine) {
  std::string db = platform_target("late_error");
  exec_files(db, {*dir_ / "clear.sql", *dir_ / "data.sql"});
  auto before = testsupport::table_checksums(*cluster_, db, kDataSchemas);
  auto seq_before = testsupport::sequence_values(*cluster_, db, kDataSchemas);

  // A bad row as the last row of the last COPY block.
  std::string text = read(*dir_ / "data.sql");
  size_t end = text.rfind("\n\\.\n");
  ASSERT_NE(end, std::string::npos);
  text.insert(end + 1, "this row\thas\tthe wrong shape\n");
  size_t bad_line = static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(end) + 1, '\n')) + 1;
  fs::path bad = *dir_ / "bad-data.sql";
  std::ofstream(bad) << text;
  try {
    exec_files(db, {*dir_ / "clear.sql", bad});
    FAIL() << "the bad row must fail the restore";
  } catch (const pg::ScriptExecError& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.file(), "bad-data.sql");
    EXPECT_EQ(e.line(), bad_line) << msg;
    EXPECT_NE(msg.find("bad-data.sql:" + std::to_string(bad_line) + ": in \"COPY "), std::string::npos) << msg;
    EXPECT_FALSE(e.sqlstate().empty());
    EXPECT_FALSE(e.server_message().empty());
  }
  EXPECT_EQ(testsupport::diff_maps(before, testsupport::table_checksums(*cluster_, db, kDataSchemas)), "");
  EXPECT_EQ(testsupport::diff_maps(seq_before, testsupport::sequence_values(*cluster_, db, kDataSchemas)), "");

  // A file cut in the middle of a COPY block is refused, and nothing changes either.
  std::string full = read(*dir_ / "data.sql");
  fs::path cut = *dir_ / "cut-data.sql";
  std::ofstream(cut) << full.substr(0, full.find("\n\\.\n") - 10);  // inside the first (largest) block
  try {
    exec_files(db, {*dir_ / "clear.sql", cut});
    FAIL() << "a truncated file must fail";
  } catch (const pg::ScriptError& e) {
    EXPECT_NE(std::string(e.what()).find("cut-data.sql:"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("no \\. line"), std::string::npos) << e.what();
  }
  EXPECT_EQ(testsupport::diff_maps(before, testsupport::table_checksums(*cluster_, db, kDataSchemas)), "");
}

TEST_F(ScriptExecutorTest, HookAddsFreezeAndSkipsStatements) {
  std::string db = platform_target("hooked");
  pg::ExecutorOptions opts;
  std::vector<std::uint64_t> seen_lines;
  opts.on_statement = [&](pg::ScriptStatement& s) {
    seen_lines.push_back(s.line);
    if (s.copy_from_stdin && s.text.find("\"public\".\"tasks\"") != std::string::npos) return pg::StatementAction::kSkip;
    if (s.copy_from_stdin) {
      // The tables were truncated in this transaction, so FREEZE is allowed (and proves the
      // rewritten text is what ran: the server checks it).
      auto pos = s.text.rfind(" FROM stdin;");
      s.text = s.text.substr(0, pos) + " FROM stdin WITH (FREEZE);";
    }
    return pg::StatementAction::kRun;
  };
  auto st = exec_files(db, {*dir_ / "clear.sql", *dir_ / "data.sql"}, opts);
  EXPECT_EQ(st.skipped, 1u);
  EXPECT_TRUE(std::is_sorted(seen_lines.begin() + 1, seen_lines.end()));
  EXPECT_EQ(cluster_->psql("SELECT count(*) FROM public.tasks", db), "0\n");
  auto src = testsupport::table_checksums(*cluster_, "postgres", "^public$");
  auto dst = testsupport::table_checksums(*cluster_, db, "^public$");
  src.erase("public.tasks");
  dst.erase("public.tasks");
  EXPECT_EQ(testsupport::diff_maps(src, dst), "");
}

TEST_F(ScriptExecutorTest, ConnectMetaCommandAndServerErrorsAreReportedWithContext) {
  cluster_->create_database("errors");
  auto conn = connect("errors");
  auto run = [&](const std::string& script) {
    pg::MemorySource src(script);
    pg::SqlSplitter sp(src, "x.sql");
    return pg::execute_script(conn, sp);
  };
  EXPECT_EQ(run("\\connect errors\nSELECT 1;\n\\c \"errors\"\n").statements, 1u);
  try {
    run("SELECT 1;\n\\connect postgres\nSELECT 2;\n");
    FAIL();
  } catch (const pg::ScriptError& e) {
    EXPECT_NE(std::string(e.what()).find("x.sql:2: \\connect to database \"postgres\" is not supported"), std::string::npos)
        << e.what();
  }
  run("CREATE TABLE u (i int PRIMARY KEY);\n");
  // Transaction control would break all-or-nothing: refused before it runs.
  try {
    run("INSERT INTO u VALUES (100);\n  commit;\n");
    FAIL();
  } catch (const pg::ScriptError& e) {
    EXPECT_NE(std::string(e.what()).find("x.sql:2: COMMIT inside the script"), std::string::npos) << e.what();
  }
  conn.exec("DELETE FROM u");
  try {
    run("INSERT INTO u VALUES (1);\n\nINSERT INTO u\n  VALUES (1);\n");
    FAIL();
  } catch (const pg::ScriptExecError& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(msg.find("x.sql:3: in \"INSERT INTO u\": duplicate key value violates unique constraint"), std::string::npos) << msg;
    EXPECT_NE(msg.find("DETAIL: Key (i)=(1) already exists."), std::string::npos) << msg;
  }
  try {
    run("DO $$BEGIN\n  RAISE EXCEPTION 'boom; inside' USING HINT = 'restore an older set';\nEND$$;\n");
    FAIL();
  } catch (const pg::ScriptExecError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("x.sql:1: in \"DO $$BEGIN\": boom; inside"), std::string::npos) << msg;
    EXPECT_NE(msg.find("HINT: restore an older set"), std::string::npos) << msg;
  }
  // COPY data with a bad row: the error points at the row's own line, and the connection
  // stays usable afterwards.
  try {
    run("COPY u (i) FROM stdin;\n5\n6\nseven\n\\.\n");
    FAIL();
  } catch (const pg::ScriptExecError& e) {
    EXPECT_EQ(e.line(), 4u) << e.what();
    EXPECT_EQ(e.sqlstate(), "22P02");
  }
  EXPECT_EQ(conn.exec("SELECT count(*) FROM u").get_int(0, "count"), 1);
}
