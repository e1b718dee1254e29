// The round trip on whatever server version the fixture starts (CRM_PG_VERSION: 15 to 18): the
// awkward fixture (every object kind, hostile names) plus, on 18, the objects only 18 has
// (fixtures/sql/pg18-only.sql) are backed up, restored into a fresh cluster of the same
// version, and both sides must agree on the catalog census, on every table's content checksum
// and on the engine's own schema dump, byte for byte. pg_dump 15 cannot read 16 and newer, so
// this is the oracle there; on 15 the pg_dump comparisons of the other programs add to it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/io/sink.hpp"
#include "engine/schema/roles_sql.hpp"
#include "engine/schema/schema_sql.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "pgwire/connection.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/files.hpp"
#include "tests/support/db_compare.hpp"

using namespace crm;
namespace fs = std::filesystem;
using crm::testsupport::read_file;

namespace {

const char* kAppSchemas = "^(public|pg18|Odd Schema|[^a-z].*|.* .*)$";

std::string engine_schema_sql(const sandbox::PgCluster& c, const std::string& db) {
  auto conn = pg::Connection::open({.target = c.url(db)});
  engine::StringSink out;
  engine::schema::write_schema_sql(conn, out);
  // Event triggers are written commented out (they need superuser), so the target has none.
  return std::regex_replace(out.str(), std::regex(R"(\n--\n-- Name: [^\n]*; Type: EVENT TRIGGER;[^\n]*\n--\n\n(-- [^\n]*\n)+)"), "");
}

std::map<std::string, std::string> without_populated(std::map<std::string, std::string> census) {
  std::erase_if(census, [](const auto& kv) { return kv.first.rfind("populated ", 0) == 0; });
  return census;
}

class VersionRoundTrip : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    source_ = sandbox::PgCluster::start().release();
    source_->create_database("awk");
    sandbox::load_platform(*source_, "awk");
    source_->psql_file(sandbox::source_path("fixtures/sql/awkward-schema.sql"), "awk");
    if (source_->server_major() >= 18)
      source_->psql_file(sandbox::source_path("fixtures/sql/pg18-only.sql"), "awk");
    dir_ = new testsupport::TempFolder();
    testsupport::CliEnv from{dir_->path, source_->url("awk"), "", "", {}};
    auto r = from.run({"backup", "--no-attachments"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    prefix_ = new std::string(engine::scan_backup_dir(dir_->path).front().name.prefix);

    target_ = sandbox::PgCluster::start().release();
    target_->create_database("awk");
    sandbox::load_platform(*target_, "awk");
    testsupport::CliEnv to{dir_->path, target_->url("awk"), "", "", {}};
    r = to.run({"restore", *prefix_, "--yes", "--no-attachments"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  static void TearDownTestSuite() {
    delete source_;
    delete target_;
    delete dir_;
    delete prefix_;
    source_ = target_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(source_ && target_ && prefix_) << "the backup or the restore failed"; }

  static sandbox::PgCluster* source_;
  static sandbox::PgCluster* target_;
  static testsupport::TempFolder* dir_;
  static std::string* prefix_;
};

sandbox::PgCluster* VersionRoundTrip::source_ = nullptr;
sandbox::PgCluster* VersionRoundTrip::target_ = nullptr;
testsupport::TempFolder* VersionRoundTrip::dir_ = nullptr;
std::string* VersionRoundTrip::prefix_ = nullptr;

TEST_F(VersionRoundTrip, ServersAreTheVersionAskedFor) {
  EXPECT_EQ(source_->server_major(), target_->server_major());
  if (const char* v = std::getenv("CRM_PG_VERSION")) {
    EXPECT_EQ(std::to_string(source_->server_major()), v);
  }
}

TEST_F(VersionRoundTrip, CatalogCensusIsEqual) {
  auto before = testsupport::catalog_census(*source_, "awk", kAppSchemas);
  auto after = testsupport::catalog_census(*target_, "awk", kAppSchemas);
  // The census sees what the fixture made: a few objects of the kinds that matter.
  EXPECT_GT(before.count("relation \"Odd Schema\".\"Tickets\""), 0u);
  EXPECT_GT(before.count("policy \"Odd Schema\".\"Tickets\".\"see own\""), 0u);
  EXPECT_EQ(testsupport::diff_maps(without_populated(before), without_populated(after)), "");
}

// Kept apart from the census above: restore refreshes materialized views in post-data (the
// engine/schema change that writes REFRESH); without it they come back empty.
TEST_F(VersionRoundTrip, MaterializedViewsArePopulatedAsOnTheSource) {
  auto populated = [](const std::map<std::string, std::string>& census) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : census)
      if (k.rfind("populated ", 0) == 0) out[k] = v;
    return out;
  };
  auto before = populated(testsupport::catalog_census(*source_, "awk", kAppSchemas));
  EXPECT_EQ(before.count("populated ticket_stats"), 1u);
  EXPECT_EQ(testsupport::diff_maps(before, populated(testsupport::catalog_census(*target_, "awk", kAppSchemas))), "");
}

TEST_F(VersionRoundTrip, EveryTableHasTheSameContent) {
  auto before = testsupport::table_checksums(*source_, "awk", kAppSchemas);
  EXPECT_GT(before.size(), 10u);
  EXPECT_EQ(testsupport::diff_maps(before, testsupport::table_checksums(*target_, "awk", kAppSchemas)), "");
  EXPECT_EQ(testsupport::diff_maps(testsupport::sequence_values(*source_, "awk", kAppSchemas),
                                   testsupport::sequence_values(*target_, "awk", kAppSchemas)),
            "");
}

TEST_F(VersionRoundTrip, EngineSchemaDumpIsByteIdentical) {
  std::string before = engine_schema_sql(*source_, "awk");
  std::string after = engine_schema_sql(*target_, "awk");
  EXPECT_EQ(before, after);
}

TEST_F(VersionRoundTrip, Pg18ObjectsAreWrittenAsTheyAre) {
  if (source_->server_major() < 18) GTEST_SKIP() << "objects only PostgreSQL 18 has";
  std::string schema = read_file(fs::path(dir_->path) / (*prefix_ + "-schema.sql"));
  // schema.sql quotes every identifier.
  for (const char* expected :
       {R"("fahrenheit" numeric GENERATED ALWAYS AS (((("celsius" * (9)::numeric) / (5)::numeric) + (32)::numeric)) VIRTUAL)",
        R"("kelvin" numeric GENERATED ALWAYS AS (("celsius" + 273.15)) STORED)",
        R"("id" integer CONSTRAINT "id is required" NOT NULL)", R"("code" "text" CONSTRAINT "code_nn" NOT NULL NO INHERIT)",
        R"(ADD CONSTRAINT "note set later" NOT NULL "note" NOT VALID)",
        R"(PRIMARY KEY ("id", "valid" WITHOUT OVERLAPS))", R"(UNIQUE ("name", "valid" WITHOUT OVERLAPS))",
        R"(FOREIGN KEY ("room_id", PERIOD "during") REFERENCES "pg18"."rooms"("id", PERIOD "valid"))",
        R"(CHECK (("qty" > 0)) NOT ENFORCED)", R"(REFERENCES "pg18"."parents"("id") NOT ENFORCED)",
        R"(COMMENT ON CONSTRAINT "id is required" ON "pg18"."named_nn")",
        R"(CREATE DOMAIN "pg18"."required_text" AS "text" CONSTRAINT "text is required" NOT NULL)"})
    EXPECT_NE(schema.find(expected), std::string::npos) << expected;
  // Generated columns, virtual or stored, have no data in the dump: COPY lists only the others.
  std::string data = read_file(fs::path(dir_->path) / (*prefix_ + "-data.sql"));
  EXPECT_NE(data.find(R"(COPY "pg18"."measurements" ("id", "celsius") FROM stdin;)"), std::string::npos);
  // The virtual columns are computed again on the target, to the same values.
  const std::string computed = "SELECT string_agg(fahrenheit::text || ' ' || label, ',' ORDER BY id) FROM pg18.measurements";
  EXPECT_EQ(source_->psql(computed, "awk").substr(0, 20), "68.0000000000000000 ");
  EXPECT_EQ(target_->psql(computed, "awk"), source_->psql(computed, "awk"));
  // Role membership options (16+) and MAINTAIN (17+) are carried by roles.sql and the ACLs.
  EXPECT_EQ(target_->psql("SELECT string_agg(r.rolname || ':' || m.admin_option || m.inherit_option || m.set_option, ',' "
                          "ORDER BY r.rolname) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
                          "WHERE m.member = '\"Pg18 Member\"'::regrole"),
            "app_reader:truetruefalse,pg18_group:falsefalsetrue\n");
  EXPECT_EQ(target_->psql("SELECT has_table_privilege('app_reader', 'pg18.measurements', 'MAINTAIN')", "awk"), "t\n");
}

}  // namespace

namespace {

// The CRM schema with seeded rows of every column type the generator makes, through backup
// (the parallel COPY data dump) and restore on the same server version: every table the
// manifest lists has the same content on both sides, and so have the sequences.
TEST(VersionRoundTripCrm, SeededCrmDataComesBackWhole) {
  auto source = sandbox::PgCluster::start();
  source->create_database("crm");
  sandbox::load_platform(*source, "crm");
  sandbox::load_crm_schema(*source, "crm");
  sandbox::generate_crm_data(*source, "crm", 3, 11);
  testsupport::TempFolder dir;
  auto r = testsupport::CliEnv{dir.path, source->url("crm"), "", "", {}}.run({"backup", "--no-attachments", "--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto set = engine::scan_backup_dir(dir.path).front();
  ASSERT_TRUE(set.manifest);

  auto target = sandbox::PgCluster::start();
  target->create_database("crm");
  sandbox::load_platform(*target, "crm");
  r = testsupport::CliEnv{dir.path, target->url("crm"), "", "", {}}.run(
      {"restore", set.name.prefix, "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const char* schemas = "^(public|auth|storage)$";
  auto src = testsupport::table_checksums(*source, "crm", schemas);
  auto dst = testsupport::table_checksums(*target, "crm", schemas);
  std::map<std::string, std::string> want, got;
  for (const auto& t : set.manifest->tables) {
    want[t.schema + "." + t.name] = src[t.schema + "." + t.name];
    got[t.schema + "." + t.name] = dst[t.schema + "." + t.name];
  }
  EXPECT_GT(want.size(), 10u);
  EXPECT_NE(want["public.contacts"].find("rows:"), std::string::npos);
  EXPECT_EQ(want["public.contacts"].find("rows:0 "), std::string::npos) << "the generator made contacts";
  EXPECT_EQ(testsupport::diff_maps(want, got), "");
  EXPECT_EQ(testsupport::diff_maps(testsupport::sequence_values(*source, "crm", "^public$"),
                                   testsupport::sequence_values(*target, "crm", "^public$")),
            "");
  EXPECT_EQ(testsupport::census_text(*source, "crm", "^public$"), testsupport::census_text(*target, "crm", "^public$"));
}

}  // namespace
