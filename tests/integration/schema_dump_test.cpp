// roles.sql + schema.sql from the catalogs, proved by replay: dump a source cluster holding the
// platform stand-in plus the CRM (or the awkward) schema, replay both files with
// `psql --single-transaction -v ON_ERROR_STOP=1` into a fresh cluster that holds only the
// platform, and compare `pg_dump --schema-only` of the application schemas on both sides.
#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "engine/catalog/query_batch.hpp"
#include "engine/io/sink.hpp"
#include "engine/schema/roles_sql.hpp"
#include "engine/schema/schema_sql.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/pg_cluster.hpp"
#include "fixtures/sandbox/process.hpp"
#include "pgwire/connection.hpp"
#include "tests/support/db_compare.hpp"

using namespace crm;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kCrmSchemas = {"public"};
const std::vector<std::string> kAwkwardSchemas = {"public", "Odd Schema"};

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_all(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

// pg_dump output without the lines that differ on every run (\restrict keys).
// On 16 and newer (pg_dump 15 cannot read them) the catalog census of the same schemas.
std::string schema_of(const sandbox::PgCluster& c, const std::string& db, const std::vector<std::string>& schemas) {
  if (!testsupport::pg_dump_can_read(c)) {
    std::string re;
    for (const auto& s : schemas) re += (re.empty() ? "" : "|") + std::regex_replace(s, std::regex(R"([.^$|()\[\]*+?{}\\])"), "\\$&");
    return testsupport::census_text(c, db, "^(" + re + ")$");
  }
  std::vector<std::string> args = {"--schema-only"};
  for (const auto& s : schemas) {
    args.push_back("--schema");
    args.push_back("\"" + s + "\"");
  }
  std::string dump = c.pg_dump(args, db);
  std::string out;
  std::istringstream in(dump);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("\\restrict", 0) == 0 || line.rfind("\\unrestrict", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

// Unified diff of two texts for the failure message.
std::string diff_text(const std::string& a, const std::string& b) {
  fs::path dir = fs::temp_directory_path() / ("schema-diff-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_all(dir / "source.sql", a);
  write_all(dir / "target.sql", b);
  auto r = sandbox::run_process({"diff", "-u", (dir / "source.sql").string(), (dir / "target.sql").string()});
  fs::remove_all(dir);
  return r.out.substr(0, 20000);
}

class SchemaDumpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = fs::temp_directory_path() / ("schema-dump-test-" + std::to_string(::getpid()));
    fs::create_directories(work_);
    fs::permissions(work_, fs::perms::all);  // psql runs as the cluster's user
    source_ = sandbox::PgCluster::start().release();
    target_ = sandbox::PgCluster::start().release();
    for (const char* db : {"crm", "awk"}) {
      source_->create_database(db);
      target_->create_database(db);
      sandbox::load_platform(*source_, db);
      sandbox::load_platform(*target_, db);
    }
    sandbox::load_crm_schema(*source_, "crm");
    source_->psql_file(sandbox::source_path("fixtures/sql/awkward-schema.sql"), "awk");

    // Roles are cluster-wide: one roles.sql (from either database) carries them all.
    {
      auto conn = pg::Connection::open({.target = source_->url("awk")});
      engine::StringSink roles;
      engine::schema::write_roles_sql(conn, roles);
      roles_sql_ = new std::string(roles.str());
      replay(*roles_sql_, "roles.sql", "awk");
    }
    for (const char* db : {"crm", "awk"}) {
      auto conn = pg::Connection::open({.target = source_->url(db)});
      engine::StringSink schema;
      auto res = engine::schema::write_schema_sql(conn, schema);
      schema_sql_[db] = new std::string(schema.str());
      results_[db] = new engine::schema::SchemaDumpResult(res);
      replay(*schema_sql_[db], std::string(db) + "-schema.sql", db);
    }
  }
  static void TearDownTestSuite() {
    delete roles_sql_;
    for (auto& [db, text] : schema_sql_) delete text;
    for (auto& [db, res] : results_) delete res;
    schema_sql_.clear();
    results_.clear();
    delete source_;
    delete target_;
    fs::remove_all(work_);
  }

  // psql --single-transaction -v ON_ERROR_STOP=1 -f file, into the target cluster.
  static void replay(const std::string& sql, const std::string& name, const std::string& db) {
    fs::path file = work_ / name;
    write_all(file, sql);
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
    auto r = target_->run_psql({"-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1", "-f", file.string()}, db);
    ASSERT_EQ(r.exit_code, 0) << name << " failed to replay:\n" << r.err;
  }

  static std::string source_query(const std::string& db, const std::string& sql) { return source_->psql(sql, db); }
  static std::string target_query(const std::string& db, const std::string& sql) { return target_->psql(sql, db); }

  static sandbox::PgCluster* source_;
  static sandbox::PgCluster* target_;
  static fs::path work_;
  static std::string* roles_sql_;
  static std::map<std::string, std::string*> schema_sql_;
  static std::map<std::string, engine::schema::SchemaDumpResult*> results_;
};
sandbox::PgCluster* SchemaDumpTest::source_ = nullptr;
sandbox::PgCluster* SchemaDumpTest::target_ = nullptr;
fs::path SchemaDumpTest::work_;
std::string* SchemaDumpTest::roles_sql_ = nullptr;
std::map<std::string, std::string*> SchemaDumpTest::schema_sql_;
std::map<std::string, engine::schema::SchemaDumpResult*> SchemaDumpTest::results_;

}  // namespace

TEST_F(SchemaDumpTest, CrmFixtureReplaysWithNoSchemaDifference) {
  EXPECT_EQ(results_["crm"]->schemas, kCrmSchemas);
  auto src = schema_of(*source_, "crm", kCrmSchemas);
  auto dst = schema_of(*target_, "crm", kCrmSchemas);
  EXPECT_GT(src.size(), 10000u);  // the comparison is not vacuous
  EXPECT_TRUE(src == dst) << diff_text(src, dst);
  EXPECT_TRUE(results_["crm"]->warnings.empty());
}

TEST_F(SchemaDumpTest, AwkwardFixtureReplaysWithNoSchemaDifference) {
  EXPECT_EQ(results_["awk"]->schemas, (std::vector<std::string>{"Odd Schema", "public"}));
  auto src = schema_of(*source_, "awk", kAwkwardSchemas);
  auto dst = schema_of(*target_, "awk", kAwkwardSchemas);
  // Every kind the fixture holds shows up in the oracle's dump (pg_dump's; the census of 16+
  // is keyed otherwise and compared whole below).
  if (testsupport::pg_dump_can_read(*source_)) {
    for (const char* kind : {"Type: TYPE;", "Type: DOMAIN;", "Type: SEQUENCE;", "Type: TABLE;", "Type: VIEW;",
                             "Type: MATERIALIZED VIEW;", "Type: FUNCTION;", "Type: PROCEDURE;", "Type: AGGREGATE;",
                             "Type: CONSTRAINT;", "Type: FK CONSTRAINT;", "Type: INDEX;", "Type: TRIGGER;",
                             "Type: RULE;", "Type: POLICY;", "Type: ROW SECURITY;", "Type: ACL;", "Type: COMMENT;",
                             "Type: DEFAULT ACL;", "Type: TABLE ATTACH;", "Type: SEQUENCE OWNED BY;",
                             "Type: CHECK CONSTRAINT;", "Type: INDEX ATTACH;", "Type: DEFAULT;",
                             "Type: TEXT SEARCH DICTIONARY;", "Type: TEXT SEARCH CONFIGURATION;"})
      EXPECT_NE(src.find(kind), std::string::npos) << kind;
  }
  EXPECT_TRUE(src == dst) << diff_text(src, dst);
  for (const auto& w : results_["awk"]->warnings) ADD_FAILURE() << w;
}

// Casts live in no schema, so the per-schema comparison above cannot see them: pg_dump's full
// dump is the oracle for the statements (15), the census for what the replay created.
TEST_F(SchemaDumpTest, CastsAreWrittenAsPgDumpWritesThemAndReplay) {
  auto cast_lines = [](const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("CREATE CAST ", 0) == 0 || line.rfind("COMMENT ON CAST ", 0) == 0) out.insert(line);
    return out;
  };
  auto ours = cast_lines(*schema_sql_["awk"]);
  EXPECT_EQ(ours.size(), 5u) << "the awkward fixture's four casts and one comment";
  if (testsupport::pg_dump_can_read(*source_)) {
    auto theirs = cast_lines(source_->pg_dump({"--schema-only", "--quote-all-identifiers"}, "awk"));
    EXPECT_EQ(ours, theirs);
  }
  auto casts_of = [](const sandbox::PgCluster& c) {
    auto census = testsupport::catalog_census(c, "awk", "^$");
    std::erase_if(census, [](const auto& kv) { return kv.first.rfind("cast ", 0) != 0; });
    return census;
  };
  auto src = casts_of(*source_);
  EXPECT_EQ(src.size(), 4u);
  EXPECT_EQ(testsupport::diff_maps(src, casts_of(*target_)), "");
}

TEST_F(SchemaDumpTest, ObjectsOutsideTheSchemaDumpAreReplayedToo) {
  // Publications, the default privileges of a role for all schemas, and extensions are not
  // in a per-schema pg_dump: compare them through the catalogs.
  const std::string pubs =
      "SELECT p.pubname, p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, "
      "pg_catalog.pg_get_userbyid(p.pubowner), pg_catalog.obj_description(p.oid, 'pg_publication'), "
      "(SELECT string_agg(c.relname || coalesce(' ' || pg_get_expr(r.prqual, r.prrelid), '') || ' ' || r.prattrs::text, ',' "
      "ORDER BY c.relname) FROM pg_publication_rel r JOIN pg_class c ON c.oid = r.prrelid WHERE r.prpubid = p.oid), "
      "(SELECT string_agg(n.pnnspid::regnamespace::text, ',') FROM pg_publication_namespace n WHERE n.pnpubid = p.oid) "
      "FROM pg_publication p ORDER BY 1";
  EXPECT_EQ(source_query("awk", pubs), target_query("awk", pubs));
  EXPECT_NE(source_query("awk", pubs).find("App Pub"), std::string::npos);
  const std::string defacl =
      "SELECT d.defaclrole::regrole, coalesce(d.defaclnamespace::regnamespace::text, '-'), d.defaclobjtype, "
      "d.defaclacl FROM pg_default_acl d ORDER BY 1, 2, 3";
  EXPECT_EQ(source_query("awk", defacl), target_query("awk", defacl));
  const std::string ext = "SELECT extname, extnamespace::regnamespace FROM pg_extension ORDER BY 1";
  EXPECT_EQ(source_query("awk", ext), target_query("awk", ext));
}

TEST_F(SchemaDumpTest, ManagedSchemaObjectsExistOnTheTarget) {
  const std::string triggers =
      "SELECT t.tgname, pg_get_triggerdef(t.oid), pg_get_functiondef(t.tgfoid), pg_get_userbyid(p.proowner) "
      "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
      "WHERE c.relnamespace IN ('auth'::regnamespace, 'storage'::regnamespace) AND NOT t.tgisinternal ORDER BY 1";
  const std::string policies =
      "SELECT polrelid::regclass, polname, polcmd, polpermissive, polroles::regrole[], pg_get_expr(polqual, polrelid), "
      "pg_get_expr(polwithcheck, polrelid) FROM pg_policy WHERE polrelid IN ('storage.objects'::regclass, "
      "'storage.buckets'::regclass) ORDER BY 1, 2";
  for (const char* db : {"crm", "awk"}) {
    EXPECT_EQ(source_query(db, triggers), target_query(db, triggers)) << db;
    EXPECT_EQ(source_query(db, policies), target_query(db, policies)) << db;
    EXPECT_NE(schema_sql_[db]->find(std::string(engine::schema::kManagedSchemaMarker) + "\n"), std::string::npos);
  }
  EXPECT_NE(target_query("crm", triggers).find("on_auth_user_created"), std::string::npos);
  EXPECT_NE(target_query("crm", policies).find("Attachments"), std::string::npos);
  EXPECT_NE(target_query("awk", triggers).find("odd user trigger"), std::string::npos);
  EXPECT_NE(target_query("awk", triggers).find("app_identity_hook"), std::string::npos);
  EXPECT_NE(schema_sql_["awk"]->find("CREATE OR REPLACE FUNCTION \"auth\".\"app_identity_hook\"()"),
            std::string::npos);
  // Platform functions in auth/storage are never written.
  EXPECT_EQ(schema_sql_["awk"]->find("\"storage\".\"update_updated_at_column\"() RETURNS"), std::string::npos);
  // The platform's own trigger on storage.objects is not the application's.
  EXPECT_EQ(schema_sql_["crm"]->find("update_objects_updated_at"), std::string::npos);
  EXPECT_GT(results_["crm"]->managed_schema_objects, 0u);
}

TEST_F(SchemaDumpTest, NoManagedSchemaObjectsLeavesTheSectionOut) {
  auto conn = pg::Connection::open({.target = source_->url("crm")});
  engine::StringSink out;
  auto res = engine::schema::write_schema_sql(conn, out, {.managed_schema_objects = false});
  EXPECT_EQ(res.managed_schema_objects, 0u);
  EXPECT_EQ(out.str().find(engine::schema::kManagedSchemaMarker), std::string::npos);
  EXPECT_EQ(out.str().find("ON \"auth\".\"users\""), std::string::npos);
  EXPECT_EQ(out.str().find("ON \"storage\".\"objects\""), std::string::npos);
  EXPECT_NE(out.str().find(engine::schema::kPostDataMarker), std::string::npos);
}

TEST_F(SchemaDumpTest, TwoRunsAndTheCommandLineGiveByteIdenticalOutput) {
  for (const char* db : {"crm", "awk"}) {
    auto conn = pg::Connection::open({.target = source_->url(db)});
    engine::StringSink again, roles;
    engine::schema::write_schema_sql(conn, again);
    EXPECT_TRUE(again.str() == *schema_sql_[db]) << db;
    engine::schema::write_roles_sql(conn, roles);
    // roles.sql holds the per-database settings of the database it was read from.
    if (std::string(db) == "awk") {
      EXPECT_TRUE(roles.str() == *roles_sql_);
    }
    EXPECT_NE(roles.str().find(std::string("IN DATABASE \"") + db + "\""), std::string::npos) << db;
  }
  fs::path file = work_ / "cli-schema.sql";
  auto bin = sandbox::binary_path("crmbackup-native");
  auto r = sandbox::run_process({bin, "dump", "schema", "--db-url", source_->url("awk"), "--output", file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(read_all(file) == *schema_sql_["awk"]);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  auto s = sandbox::run_process({bin, "dump", "roles", "--db-url", source_->url("awk")});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_TRUE(s.out == *roles_sql_);
  auto n = sandbox::run_process({bin, "dump", "schema", "--db-url", source_->url("crm"), "--no-managed-schema-objects"});
  ASSERT_EQ(n.exit_code, 0) << n.err;
  EXPECT_EQ(n.out.find(engine::schema::kManagedSchemaMarker), std::string::npos);
}

TEST_F(SchemaDumpTest, RolesHoldNoPasswordAndFollowThePlatformRules) {
  const std::string& roles = *roles_sql_;
  EXPECT_EQ(roles.find("PASSWORD"), std::string::npos);
  EXPECT_EQ(roles.find("secret"), std::string::npos);
  EXPECT_EQ(roles.find("NOSUPERUSER"), std::string::npos);
  EXPECT_EQ(roles.find("NOREPLICATION"), std::string::npos);
  EXPECT_TRUE(roles.size() > 11 && roles.substr(roles.size() - 11) == "RESET ALL;\n");
  // Reserved roles: commented out, except the allowed settings.
  EXPECT_NE(roles.find("\n-- CREATE ROLE \"anon\";\n"), std::string::npos);
  EXPECT_NE(roles.find("\n-- ALTER ROLE \"supabase_admin\" WITH SUPERUSER"), std::string::npos);
  EXPECT_NE(roles.find("\nALTER ROLE \"authenticator\" SET \"pgrst.db_schemas\" TO 'public, graphql_public';\n"),
            std::string::npos);
  EXPECT_NE(roles.find("\nALTER ROLE \"anon\" SET \"statement_timeout\" TO '3s';\n"), std::string::npos);
  EXPECT_NE(roles.find("\n-- ALTER ROLE \"authenticator\" SET \"lock_timeout\" TO '8s';\n"), std::string::npos);
  EXPECT_NE(roles.find("\n-- ALTER ROLE \"postgres\" SET \"search_path\""), std::string::npos);
  // A membership granted to a reserved role is commented out; the app's are active.
  EXPECT_NE(roles.find("\n-- GRANT \"app_reader\" TO \"authenticated\""), std::string::npos);
  // 16 and newer spell the membership options out (ADMIN/INHERIT/SET TRUE|FALSE).
  const char* admin = source_->server_major() >= 16 ? "ADMIN TRUE" : "ADMIN OPTION";
  EXPECT_NE(roles.find(std::string("\nGRANT \"app_reader\" TO \"App Writer\" WITH ") + admin + " GRANTED BY \"postgres\";\n"),
            std::string::npos);
  EXPECT_NE(roles.find("\nCREATE ROLE \"a\"\"; DROP TABLE x; --\";\n"), std::string::npos);
  // Every active line is a statement on a quoted identifier, never a reserved role's.
  std::istringstream in(roles);
  std::regex reserved(R"re(^(CREATE|ALTER) ROLE "(anon|authenticated|authenticator|cli_login_.*|dashboard_user|pgbouncer|postgres|service_role|supabase_.*|pgsodium_key.*|pgtle_admin)")re");
  std::regex allowed(R"re(^ALTER ROLE "[^"]+" SET "(pgaudit\..*|pgrst\..*|session_replication_role|statement_timeout|track_io_timing)" TO )re");
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, reserved)) {
      EXPECT_TRUE(std::regex_search(line, allowed)) << line;
    }
  }
  // The target's application roles equal the source's (attributes, settings, memberships).
  const std::string q =
      "SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolreplication, "
      "r.rolbypassrls, r.rolconnlimit, r.rolvaliduntil, "
      "(SELECT string_agg(array_to_string(s.setconfig, ';') || '@' || (s.setdatabase <> 0)::text, '|') "
      "   FROM pg_db_role_setting s WHERE s.setrole = r.oid), "
      "(SELECT string_agg(g.rolname || ':' || m.admin_option, ',' ORDER BY g.rolname) FROM pg_auth_members m "
      "   JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) "
      "FROM pg_roles r WHERE r.rolname IN ('app_reader', 'App Writer', 'a\"; DROP TABLE x; --') ORDER BY 1";
  auto src = source_query("awk", q);
  EXPECT_EQ(std::count(src.begin(), src.end(), '\n'), 3) << src;
  EXPECT_EQ(src, target_query("awk", q));
}

TEST_F(SchemaDumpTest, HostileIdentifiersAreQuotedEverywhere) {
  const std::string& s = *schema_sql_["awk"];
  EXPECT_NE(s.find("CREATE TABLE IF NOT EXISTS \"public\".\"a\"\"; DROP TABLE x; --\""), std::string::npos);
  EXPECT_NE(s.find("TO \"a\"\"; DROP TABLE x; --\";"), std::string::npos);
  // A name with a line break never starts a line of its own in a header comment.
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    EXPECT_NE(line.rfind("DROP TABLE x", 0), 0u) << line;
    if (line.rfind("-- Name:", 0) == 0) {
      EXPECT_NE(line.find("; Type: "), std::string::npos) << line;
    }
  }
  // Object names are quoted in what we write and in what the server deparses for us.
  EXPECT_EQ(s.find("CREATE TABLE IF NOT EXISTS public."), std::string::npos);
  EXPECT_NE(s.find("CREATE OR REPLACE FUNCTION \"public\".\"dollar_body\"()"), std::string::npos);
  // The table still exists on the target and nothing named x was touched.
  EXPECT_EQ(target_query("awk", "SELECT count(*) FROM pg_class WHERE relname = 'a\"; DROP TABLE x; --'"), "1\n");
}

TEST_F(SchemaDumpTest, RunsInsideTheCallersSnapshotAndLeavesItsSettings) {
  auto conn = pg::Connection::open({.target = source_->url("awk")});
  conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  conn.exec("SET LOCAL search_path = public");
  conn.exec("SELECT 1");  // takes the snapshot
  source_->psql("CREATE TABLE public.after_the_snapshot (i int)", "awk");
  engine::StringSink out, roles;
  engine::schema::write_schema_sql(conn, out);
  engine::schema::write_roles_sql(conn, roles);
  EXPECT_EQ(PQtransactionStatus(conn.raw()), PQTRANS_INTRANS);
  EXPECT_EQ(conn.exec("SHOW search_path").get(0, 0), "public");
  EXPECT_EQ(conn.exec("SHOW quote_all_identifiers").get(0, 0), "off");
  conn.exec("COMMIT");
  EXPECT_EQ(out.str().find("after_the_snapshot"), std::string::npos);
  EXPECT_TRUE(out.str() == *schema_sql_["awk"]);
  source_->psql("DROP TABLE public.after_the_snapshot", "awk");
  // Without a transaction of the caller's, the connection is left idle.
  engine::StringSink again;
  engine::schema::write_schema_sql(conn, again);
  EXPECT_EQ(PQtransactionStatus(conn.raw()), PQTRANS_IDLE);
  EXPECT_TRUE(again.str() == *schema_sql_["awk"]);
}

TEST_F(SchemaDumpTest, PreDataAndPostDataReplaySeparatelyAroundTheData) {
  // What the restore does: pre-data, rows, post-data. The split is the marker line that the
  // generator writes between statements (followed by an empty line; a function body in the
  // awkward fixture holds the same text, followed by code).
  const std::string& s = *schema_sql_["crm"];
  std::string marker = "\n" + std::string(engine::schema::kPostDataMarker) + "\n\n";
  size_t at = s.find(marker);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(results_["crm"]->post_data_offset, at + 1);
  std::string pre = s.substr(0, at + 1), post = s.substr(at + 1);
  // The offsets name the real markers even when a function body holds the same text.
  const std::string& awk = *schema_sql_["awk"];
  size_t off = results_["awk"]->post_data_offset, moff = results_["awk"]->managed_schema_offset;
  ASSERT_LT(off, awk.size());
  ASSERT_LT(moff, awk.size());
  EXPECT_LT(awk.find(engine::schema::kPostDataMarker), off);  // the function body's copy comes first
  EXPECT_EQ(awk.compare(off, engine::schema::kPostDataMarker.size(), engine::schema::kPostDataMarker), 0);
  EXPECT_EQ(awk.compare(moff, engine::schema::kManagedSchemaMarker.size(), engine::schema::kManagedSchemaMarker), 0);
  EXPECT_EQ(pre.find("CREATE INDEX"), std::string::npos);
  EXPECT_EQ(pre.find("FOREIGN KEY"), std::string::npos);
  EXPECT_EQ(pre.find("CREATE POLICY"), std::string::npos);
  EXPECT_EQ(pre.find("GRANT "), std::string::npos);
  EXPECT_EQ(post.find("CREATE TABLE"), std::string::npos);
  target_->create_database("crm_split");
  sandbox::load_platform(*target_, "crm_split");
  replay(pre, "pre.sql", "crm_split");
  EXPECT_EQ(target_query("crm_split", "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                                      "WHERE c.relnamespace = 'public'::regnamespace"),
            "0\n");
  replay(post, "post.sql", "crm_split");
  auto src = schema_of(*source_, "crm", kCrmSchemas);
  auto dst = schema_of(*target_, "crm_split", kCrmSchemas);
  EXPECT_TRUE(src == dst) << diff_text(src, dst);
}

TEST_F(SchemaDumpTest, KindsNotWrittenAreReportedNeverSilentlyDropped) {
  source_->create_database("unsupported");
  sandbox::load_platform(*source_, "unsupported");
  source_->psql(
      "CREATE CONVERSION public.my_conv FOR 'LATIN1' TO 'UTF8' FROM pg_catalog.iso8859_1_to_utf8;"
      "CREATE FOREIGN DATA WRAPPER dummy_fdw;"
      "CREATE SERVER dummy_srv FOREIGN DATA WRAPPER dummy_fdw;"
      "CREATE USER MAPPING FOR PUBLIC SERVER dummy_srv;"
      "CREATE FOREIGN TABLE public.remote (i int) SERVER dummy_srv;",
      "unsupported");
  auto conn = pg::Connection::open({.target = source_->url("unsupported")});
  engine::StringSink out;
  auto res = engine::schema::write_schema_sql(conn, out);
  std::string all;
  for (const auto& w : res.warnings) all += w + "\n";
  for (const char* what : {"conversion public.my_conv", "foreign-data wrapper dummy_fdw",
                           "foreign server dummy_srv", "user mapping FOR PUBLIC SERVER dummy_srv",
                           "foreign table public.remote"}) {
    EXPECT_NE(all.find(what), std::string::npos) << what << "\n" << all;
    EXPECT_NE(out.str().find(std::string("-- WARNING: not written to schema.sql (kind not supported): ") + what),
              std::string::npos)
        << what;
  }
  // The extensions' own operators, classes and text search objects are not reported.
  EXPECT_EQ(all.find("operator"), std::string::npos) << all;
  auto bin = sandbox::binary_path("crmbackup-native");
  auto r = sandbox::run_process({bin, "dump", "schema", "--db-url", source_->url("unsupported")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("warning: not written to schema.sql (kind not supported): foreign table public.remote"),
            std::string::npos)
      << r.err;
}

TEST_F(SchemaDumpTest, CatalogQueriesGoInOneRoundTripAndFailCleanly) {
  auto conn = pg::Connection::open({.target = source_->url("awk")});
  engine::catalog::QueryBatch ok(conn);
  size_t a = ok.add("SELECT 1 AS x");
  size_t b = ok.add("SELECT $1::text AS y", {std::string("it's")});
  auto res = ok.run();
  EXPECT_EQ(res[a].get(0, "x"), "1");
  EXPECT_EQ(res[b].get(0, "y"), "it's");
  engine::catalog::QueryBatch bad(conn);
  bad.add("SELECT 1");
  bad.add("SELECT * FROM no_such_table_here");
  bad.add("SELECT 2");
  try {
    bad.run();
    FAIL() << "expected an error";
  } catch (const pg::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_NE(std::string(e.what()).find("no_such_table_here"), std::string::npos) << e.what();
  }
  // The connection is usable again, out of pipeline mode.
  EXPECT_EQ(conn.exec("SELECT 3 AS z").get(0, "z"), "3");
  EXPECT_EQ(PQpipelineStatus(conn.raw()), PQ_PIPELINE_OFF);
}

TEST_F(SchemaDumpTest, ApplicationTablesAreLockedAgainstDdlDuringTheCallersTransaction) {
  auto conn = pg::Connection::open({.target = source_->url("awk")});
  conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  engine::StringSink out;
  engine::schema::write_schema_sql(conn, out);
  auto other = pg::Connection::open({.target = source_->url("awk")});
  other.exec("SET lock_timeout = '200ms'");
  // Refused because of the lock (lock_timeout: SQLSTATE 55P03), not for any other reason.
  try {
    other.exec("ALTER TABLE \"Odd Schema\".\"Tickets\" ADD COLUMN extra int");
    ADD_FAILURE() << "the ALTER TABLE ran while the schema dump's transaction was open";
  } catch (const pg::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "55P03") << e.what();
  }
  conn.exec("COMMIT");
  other.exec("ALTER TABLE public.scratch ADD COLUMN extra int");  // free again after COMMIT
  other.exec("ALTER TABLE public.scratch DROP COLUMN extra");
}
