// The engine's own executor replays what the engine wrote for the awkward fixture (every
// object kind, hostile names) into a fresh cluster that holds only the platform: the
// application schemas come out identical (pg_dump --schema-only) and so do the rows.
#include <gtest/gtest.h>

#include <regex>

#include "engine/backupset/backup_dir.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"

using namespace crm;

namespace {

const char* kAppSchemas = "^(public|Odd Schema|[^a-z].*|.* .*)$";

// pg_dump --schema-only of the application schemas; on 16 and newer (pg_dump 15 cannot read
// them) their catalog census.
std::string app_schema_dump(const sandbox::PgCluster& c, const std::string& db) {
  if (!testsupport::pg_dump_can_read(c)) return testsupport::census_text(c, db, kAppSchemas);
  std::vector<std::string> args = {"--schema-only"};
  for (const char* s : {"auth", "storage", "extensions", "realtime", "supabase_migrations", "graphql_public",
                        "pgbouncer", "vault"})
    args.push_back(std::string("--exclude-schema=") + s);
  std::string out = c.pg_dump(args, db);
  // Event triggers are commented out in schema.sql, as the old system does (they need superuser).
  out = std::regex_replace(out, std::regex(R"(--\n-- Name: [^;]*; Type: EVENT TRIGGER;[^]*?ALTER EVENT TRIGGER [^\n]*\n)"), "");
  out = std::regex_replace(out, std::regex("\n{3,}"), "\n\n");
  return std::regex_replace(out, std::regex(R"(\\(un)?restrict \S+)"), "\\$1restrict KEY");
}

}  // namespace

TEST(RestoreAwkward, EngineExecutorReplaysEveryObjectKindIntoAFreshCluster) {
  auto source = sandbox::PgCluster::start();
  source->create_database("awk");
  sandbox::load_platform(*source, "awk");
  source->psql_file(sandbox::source_path("fixtures/sql/awkward-schema.sql"), "awk");
  testsupport::TempFolder dir;
  testsupport::CliEnv env{dir.path, source->url("awk"), "", "", {}};
  auto r = env.run({"backup", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string prefix = engine::scan_backup_dir(dir.path).front().name.prefix;

  auto target = sandbox::PgCluster::start();
  target->create_database("awk");
  sandbox::load_platform(*target, "awk");
  testsupport::CliEnv to{dir.path, target->url("awk"), "", "", {}};
  r = to.run({"restore", prefix, "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  EXPECT_EQ(app_schema_dump(*source, "awk"), app_schema_dump(*target, "awk"));
  EXPECT_EQ(testsupport::diff_maps(testsupport::table_checksums(*source, "awk", kAppSchemas),
                                   testsupport::table_checksums(*target, "awk", kAppSchemas)),
            "");
  const std::string roles = "SELECT string_agg(rolname || ':' || rolcanlogin || rolinherit || rolbypassrls, ',' "
                            "ORDER BY rolname) FROM pg_roles WHERE rolname IN ('App Writer', 'app_reader', "
                            "'a\"; DROP TABLE x; --')";
  EXPECT_EQ(source->psql(roles), target->psql(roles));

  // And again on top of itself: a second restore into the now populated target is idempotent.
  r = to.run({"restore", prefix, "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(app_schema_dump(*source, "awk"), app_schema_dump(*target, "awk"));
}
