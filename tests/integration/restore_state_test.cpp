// State beyond the tables' rows comes back with a restore: materialized views populated as in
// the source (and the never-refreshed one still unpopulated), every row and column of the
// supabase_migrations tables; the server's notices stay out of the output unless --verbose;
// a target without the Supabase platform is refused before anything changes, and verify
// --restore-into removes the scratch database it created when the restore fails. Oracles: the
// server's own text of the rows (sorted), pg_class, pg_database.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "engine/backupset/backup_dir.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/files.hpp"

using namespace crm;
namespace fs = std::filesystem;
using crm::testsupport::read_file;

namespace {

const char* kPopulated[] = {"public.stage_counts", "public.deal_stage_rollup"};
const char* kUnrefreshed = "public.contacts_per_sales_unrefreshed";

// Every column of every row, as the server prints it, sorted: independent of the order a
// REFRESH or a COPY stored them in.
std::string rows_of(const sandbox::PgCluster& c, const std::string& db, const std::string& rel,
                    const std::string& order = "t::text") {
  return c.psql("SELECT count(*) || ' ' || coalesce(string_agg(t::text, E'\\n' ORDER BY " + order + "), '') FROM " +
                    rel + " t",
                db);
}

std::string populated(const sandbox::PgCluster& c, const std::string& db, const std::string& rel) {
  return c.psql("SELECT relispopulated FROM pg_class WHERE oid = '" + rel + "'::regclass", db);
}

// Everything a restore could create or change in a database without the platform.
std::string database_state(const sandbox::PgCluster& c, const std::string& db) {
  return c.psql("SELECT (SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace) || ' | ' || "
                "(SELECT count(*) FROM pg_class WHERE relnamespace NOT IN ('pg_catalog'::regnamespace, "
                "'information_schema'::regnamespace, 'pg_toast'::regnamespace)) || ' | ' || "
                "(SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles)",
                db);
}

class RestoreStateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    source_ = sandbox::start_crm_cluster(1, 29).release();
    // The fixture creates the views before the rows are generated: fill them now, as an
    // application would.
    source_->psql("REFRESH MATERIALIZED VIEW public.stage_counts; REFRESH MATERIALIZED VIEW public.deal_stage_rollup");
    plain_ = sandbox::PgCluster::start().release();
    plain_->create_database("plain");
    dir_ = new testsupport::TempFolder();
    auto r = env(source_->url()).run({"backup", "--no-attachments"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    prefix_ = engine::scan_backup_dir(dir_->path).front().name.prefix;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete plain_;
    delete source_;
  }
  static testsupport::CliEnv env(const std::string& db_url, const std::string& dir = "") {
    return {dir.empty() ? dir_->path : dir, db_url, "", "", {}};
  }
  // A new database holding only the platform (unique across --gtest_repeat).
  static std::string fresh_target(const std::string& stem) {
    static std::atomic<int> n{0};
    std::string db = stem + "_" + std::to_string(++n);
    source_->create_database(db);
    sandbox::load_platform(*source_, db);
    return db;
  }
  static fs::path part(const std::string& name, const std::string& dir = "") {
    return fs::path(dir.empty() ? dir_->path : dir) / (prefix_ + "-" + name);
  }
  static void expect_matviews_like_source(const std::string& db) {
    for (const char* mv : kPopulated) {
      EXPECT_EQ(populated(*source_, "postgres", mv), "t\n") << mv;
      EXPECT_EQ(populated(*source_, db, mv), "t\n") << mv;
      EXPECT_EQ(rows_of(*source_, db, mv), rows_of(*source_, "postgres", mv)) << mv;
    }
    // Not a vacuous comparison: the report has a row per stage of the generated deals.
    EXPECT_NE(rows_of(*source_, db, "public.stage_counts").rfind("0 ", 0), 0u);
    EXPECT_EQ(populated(*source_, "postgres", kUnrefreshed), "f\n");
    EXPECT_EQ(populated(*source_, db, kUnrefreshed), "f\n");
  }

  static sandbox::PgCluster* source_;
  static sandbox::PgCluster* plain_;
  static testsupport::TempFolder* dir_;
  static std::string prefix_;
};
sandbox::PgCluster* RestoreStateTest::source_ = nullptr;
sandbox::PgCluster* RestoreStateTest::plain_ = nullptr;
testsupport::TempFolder* RestoreStateTest::dir_ = nullptr;
std::string RestoreStateTest::prefix_;

}  // namespace

TEST_F(RestoreStateTest, MaterializedViewsComeBackPopulatedAsInTheSource) {
  std::string db = fresh_target("mv");
  auto r = env(source_->url(db)).run({"restore", prefix_, "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_matviews_like_source(db);
  // The roll-up reads the report: its REFRESH comes after the report's although its name sorts first.
  std::string data = read_file(part("data.sql"));
  size_t report = data.find("REFRESH MATERIALIZED VIEW \"public\".\"stage_counts\";");
  size_t rollup = data.find("REFRESH MATERIALIZED VIEW \"public\".\"deal_stage_rollup\";");
  ASSERT_NE(report, std::string::npos);
  ASSERT_NE(rollup, std::string::npos);
  EXPECT_LT(report, rollup);
  EXPECT_EQ(data.find("contacts_per_sales_unrefreshed\";"), std::string::npos) << "never refreshed in the source";
  // And verify --restore-into agrees that the restored views equal the backup's.
  std::string scratch = fresh_target("mv_verify");
  auto v = env(source_->url()).run({"verify", prefix_, "--no-attachments", "--restore-into", source_->url(scratch)});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find(" 3 materialized views"), std::string::npos) << v.out;
}

TEST_F(RestoreStateTest, PsqlReplayOfSchemaThenDataPopulatesTheSameViews) {
  std::string db = fresh_target("mv_psql");
  // As the old restore does: the platform's own rows in the tables the set holds go first.
  auto set = engine::find_set(dir_->path, prefix_);
  ASSERT_TRUE(set.manifest);
  std::string platform_tables;
  for (const auto& t : set.manifest->tables)
    if (t.schema == "auth" || t.schema == "storage")
      platform_tables += (platform_tables.empty() ? "" : ", ") + t.schema + "." + t.name;
  ASSERT_FALSE(platform_tables.empty());
  source_->psql("TRUNCATE " + platform_tables + " CASCADE", db);
  source_->psql_file(part("schema.sql").string(), db, true);
  source_->psql_file(part("data.sql").string(), db, true);
  expect_matviews_like_source(db);
}

TEST_F(RestoreStateTest, VerifyRestoreIntoReportsAMaterializedViewLeftEmpty) {
  testsupport::TempFolder copy;
  fs::copy(dir_->path, copy.path, fs::copy_options::recursive);
  // A set whose data.sql lost its REFRESH statements: the views come back unpopulated.
  std::string data = read_file(part("data.sql", copy.path));
  std::string stripped = std::regex_replace(data, std::regex("\nREFRESH MATERIALIZED VIEW [^\n]*\n"), "\n");
  ASSERT_NE(stripped, data);
  std::ofstream(part("data.sql", copy.path), std::ios::binary | std::ios::trunc) << stripped;
  std::string scratch = fresh_target("mv_empty");
  auto v = env(source_->url(), copy.path)
               .run({"verify", prefix_, "--no-attachments", "--restore-into", source_->url(scratch)});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("public.stage_counts: matview: not populated after the restore"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("public.deal_stage_rollup: matview: not populated"), std::string::npos) << v.out;
  EXPECT_EQ(v.out.find("contacts_per_sales_unrefreshed: matview"), std::string::npos) << v.out;
}

TEST_F(RestoreStateTest, MigrationHistoryComesBackWithEveryRowAndColumn) {
  std::string db = fresh_target("mig");
  // The target's CLI is older (no created_by column, no seed_files table) and its history
  // holds a migration the backup does not.
  source_->psql("ALTER TABLE supabase_migrations.schema_migrations DROP COLUMN created_by; "
                "DROP TABLE supabase_migrations.seed_files; "
                "INSERT INTO supabase_migrations.schema_migrations (version, name) VALUES ('20990101000000', 'stale')",
                db);
  auto r = env(source_->url(db)).run({"restore", prefix_, "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string migrations = "supabase_migrations.schema_migrations";
  // By name: the target's re-added created_by column comes last in its table.
  const std::string every_column =
      "(SELECT version, statements, name, created_by, idempotency_key, rollback FROM " + migrations + ")";
  EXPECT_EQ(source_->psql("SELECT count(*) FROM " + migrations + " WHERE created_by IS NOT NULL AND "
                          "statements IS NOT NULL AND rollback IS NOT NULL"),
            "1\n");
  EXPECT_EQ(rows_of(*source_, db, every_column), rows_of(*source_, "postgres", every_column));
  EXPECT_EQ(rows_of(*source_, db, "supabase_migrations.seed_files"),
            rows_of(*source_, "postgres", "supabase_migrations.seed_files"));
  EXPECT_EQ(source_->psql("SELECT count(*) FROM supabase_migrations.seed_files"), "2\n");
  // The part is in the manifest, so verify checks its size and hash.
  auto set = engine::find_set(dir_->path, prefix_);
  ASSERT_TRUE(set.manifest);
  auto* f = set.manifest->file_with_role("migrations");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, prefix_ + "-migrations.sql");
  EXPECT_EQ(f->size, fs::file_size(part("migrations.sql")));
  // The old layout's versions file is still written.
  EXPECT_NE(read_file(part("applied-migrations.txt")).find("20240730075029\n"), std::string::npos);
}

TEST_F(RestoreStateTest, RestoreShowsTheServersNoticesOnlyWithVerbose) {
  // Into a fresh target, schema.sql's DROP POLICY IF EXISTS on storage.objects makes the
  // server say `policy ... does not exist, skipping`.
  auto quiet = env(source_->url(fresh_target("quiet"))).run({"restore", prefix_, "--yes", "--no-attachments"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.out << quiet.err;
  EXPECT_EQ((quiet.out + quiet.err).find("NOTICE:"), std::string::npos) << quiet.out << quiet.err;
  EXPECT_NE(quiet.out.find("notice(s); --verbose shows them"), std::string::npos) << quiet.out;
  auto loud = env(source_->url(fresh_target("loud"))).run({"restore", prefix_, "--yes", "--no-attachments", "--verbose"});
  ASSERT_EQ(loud.exit_code, 0) << loud.out << loud.err;
  EXPECT_NE(loud.out.find("NOTICE: policy \"Attachments 1mt4rzk_0\" for relation \"storage.objects\" does not exist, skipping"),
            std::string::npos)
      << loud.out << loud.err;
}

TEST_F(RestoreStateTest, RestoreIntoADatabaseWithoutThePlatformNamesWhatIsMissingAndChangesNothing) {
  std::string before = database_state(*plain_, "plain");
  auto r = env(plain_->url("plain")).run({"restore", prefix_, "--yes", "--no-attachments"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string all = r.out + r.err;
  EXPECT_NE(all.find("lacks the Supabase platform"), std::string::npos) << all;
  for (const char* missing : {"\"authenticated\"", "\"anon\"", "\"service_role\"", "\"auth\"", "\"storage\""})
    EXPECT_NE(all.find(missing), std::string::npos) << missing << "\n" << all;
  EXPECT_EQ(all.find("roles.sql:"), std::string::npos) << "failed inside the scripts instead:\n" << all;
  EXPECT_EQ(database_state(*plain_, "plain"), before);
}

TEST_F(RestoreStateTest, VerifyRestoreIntoRemovesTheScratchDatabaseItCreatedWhenTheRestoreFails) {
  static std::atomic<int> n{0};
  std::string scratch = "scratch_" + std::to_string(++n);
  auto v = env(source_->url()).run({"verify", prefix_, "--no-attachments", "--restore-into", plain_->url(scratch)});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("Created the scratch database " + scratch), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("lacks the Supabase platform"), std::string::npos) << v.out << v.err;
  EXPECT_EQ(plain_->psql("SELECT count(*) FROM pg_database WHERE datname = '" + scratch + "'"), "0\n") << v.out;
}
