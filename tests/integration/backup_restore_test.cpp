// The whole tool as a user runs it: backup of the CRM fixture database and bucket, list,
// restore after damage, refusals, rollbacks, interrupted backups, legacy sets. Every check
// compares against an oracle: server-computed table checksums, pg_dump --schema-only, the
// bucket's own listing.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/verify_files.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/storage_server.hpp"
#include "storage-api/client.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/files.hpp"
#include "tests/support/db_compare.hpp"

using namespace crm;
namespace fs = std::filesystem;
using crm::testsupport::read_file;

namespace {

const char* kDataSchemas = "^(public|auth|storage)$";

void write_file(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

// What `supabase db dump` does to pg_dump's schema output (the spec's "commented out" list),
// statement by statement: the platform's publication, event triggers, supabase_admin's
// default privileges and extension comments.
std::string old_system_schema_filter(const std::string& dump) {
  static const std::regex kCommentOut(
      R"re(^(CREATE PUBLICATION "supabase_realtime"|ALTER PUBLICATION "supabase_realtime|CREATE EVENT TRIGGER|ALTER EVENT TRIGGER|COMMENT ON EVENT TRIGGER|ALTER DEFAULT PRIVILEGES FOR ROLE "supabase_admin"|COMMENT ON EXTENSION))re");
  std::istringstream in(dump);
  std::string line, out;
  bool commenting = false;
  while (std::getline(in, line)) {
    if (!commenting && std::regex_search(line, kCommentOut)) commenting = true;
    if (commenting) {
      out += "-- " + line + "\n";
      if (!line.empty() && line.back() == ';') commenting = false;
    } else {
      out += line + "\n";
    }
  }
  return out;
}

class BackupRestoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = sandbox::start_crm_cluster(3, 7).release();
    storage_root_ = new testsupport::TempFolder();
    sandbox::generate_bucket(storage_root_->path, "attachments", 40, 6, 7, false);
    storage_ = sandbox::StorageServer::start({.root = storage_root_->path}).release();
  }
  static void TearDownTestSuite() {
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }

  testsupport::CliEnv env(const std::string& backup_dir) const {
    return {backup_dir, cluster_->url(), storage_->url(), storage_->key(), {}};
  }
  // Runs a backup into dir and returns the new set's prefix.
  std::string backup(const std::string& dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"backup"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = env(dir).run(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto sets = engine::scan_backup_dir(dir);
    EXPECT_FALSE(sets.empty());
    return sets.empty() ? "" : sets.front().name.prefix;
  }
  std::map<std::string, std::string> checksums() const {
    return testsupport::table_checksums(*cluster_, "postgres", kDataSchemas);
  }
  std::map<std::string, std::string> checksums_of(const engine::Manifest& m) const {
    std::map<std::string, std::string> all = checksums(), out;
    for (const auto& t : m.tables) out[t.schema + "." + t.name] = all[t.schema + "." + t.name];
    return out;
  }
  std::string schema_dump() const {
    std::string s = cluster_->pg_dump({"--schema-only", "--schema=public"});
    return sorted_policy_roles(std::regex_replace(s, std::regex(R"(\\(un)?restrict \S+)"), "\\$1restrict KEY"));
  }
  // pg_dump lists a policy's roles in pg_authid's physical order, which a restore run by an
  // earlier test changes (its ALTER ROLEs move the rows): sorted, only the set of roles counts.
  static std::string sorted_policy_roles(const std::string& dump) {
    static const std::regex kPolicy(R"(^(CREATE POLICY .*? TO )((?:[^ ,]+, )+[^ ,;]+)( USING .*| WITH CHECK .*|;)$)");
    std::istringstream in(dump);
    std::string line, out;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_match(line, m, kPolicy)) {
        std::vector<std::string> roles;
        std::string list = m[2].str();
        for (size_t at = 0, comma; at <= list.size(); at = comma + 2) {
          comma = list.find(", ", at);
          if (comma == std::string::npos) comma = list.size();
          roles.push_back(list.substr(at, comma - at));
        }
        std::sort(roles.begin(), roles.end());
        std::string joined;
        for (const auto& r : roles) joined += (joined.empty() ? "" : ", ") + r;
        line = m[1].str() + joined + m[3].str();
      }
      out += line + "\n";
    }
    return out;
  }
  std::map<std::string, std::string> bucket() const {
    return testsupport::bucket_listing(storage_->url(), storage_->key());
  }

  static sandbox::PgCluster* cluster_;
  static sandbox::StorageServer* storage_;
  static testsupport::TempFolder* storage_root_;
};
sandbox::PgCluster* BackupRestoreTest::cluster_ = nullptr;
sandbox::StorageServer* BackupRestoreTest::storage_ = nullptr;
testsupport::TempFolder* BackupRestoreTest::storage_root_ = nullptr;

}  // namespace

TEST_F(BackupRestoreTest, BackupWritesAVerifiedPrivateSetThatListShows) {
  testsupport::TempFolder dir;
  std::string prefix = backup(dir.path);
  auto set = engine::find_set(dir.path, prefix);
  ASSERT_EQ(set.state, engine::SetState::Complete) << set.state_reason;
  EXPECT_TRUE(engine::verify_set_files(set).empty());
  ASSERT_TRUE(set.manifest);
  const auto& m = *set.manifest;
  EXPECT_EQ(m.objects.size(), bucket().size());
  EXPECT_FALSE(m.applied_migrations.empty());
  for (const auto& t : m.tables) {
    if (t.schema == "public" && t.name == "contacts") {
      EXPECT_EQ(std::to_string(t.rows), cluster_->psql("SELECT count(*) FROM public.contacts").substr(0, std::to_string(t.rows).size()));
    }
    EXPECT_FALSE(t.schema == "auth" && t.name == "schema_migrations") << "left-out table in the backup";
    EXPECT_FALSE(t.schema == "storage" && t.name == "migrations") << "left-out table in the backup";
  }
  for (const auto& [part, path] : set.parts) {
    struct stat st{};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, S_ISDIR(st.st_mode) ? 0700u : 0600u) << path;
  }
  auto list = env(dir.path).run({"list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find(prefix + " ("), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("[complete]"), std::string::npos) << list.out;
  auto json = env(dir.path).run({"list", "--json"});
  EXPECT_NE(json.out.find("\"prefix\": \"" + prefix + "\""), std::string::npos) << json.out;
}

TEST_F(BackupRestoreTest, RestoreAfterDamageBringsBackTheExactDatabaseAndBucket) {
  testsupport::TempFolder dir;
  // A large compressible value: the restore stores it lz4-compressed (pg_column_compression).
  cluster_->psql("UPDATE public.contacts SET background = repeat('a compressible background ', 4000) "
                 "WHERE id = (SELECT min(id) FROM public.contacts)");
  std::string prefix = backup(dir.path);
  auto m = *engine::find_set(dir.path, prefix).manifest;
  auto before = checksums_of(m);
  auto seq_before = testsupport::sequence_values(*cluster_, "postgres", kDataSchemas);
  auto schema_before = schema_dump();
  auto bucket_before = bucket();
  ASSERT_GT(bucket_before.size(), 5u);

  cluster_->psql("DROP TABLE public.tasks CASCADE; UPDATE public.contacts SET first_name = 'damaged'; "
                 "DELETE FROM public.companies WHERE id % 3 = 0; DELETE FROM auth.users WHERE ctid IN "
                 "(SELECT ctid FROM auth.users LIMIT 2); SELECT setval('public.contacts_id_seq', 999999)");
  storage::StorageConfig cfg{.base_url = storage_->url(), .service_key = storage_->key()};
  storage::StorageClient(cfg).delete_objects({bucket_before.begin()->first, std::next(bucket_before.begin())->first});
  ASSERT_NE(checksums_of(m), before);

  auto r = env(dir.path).run({"restore", prefix, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(testsupport::diff_maps(before, checksums_of(m)), "");
  EXPECT_EQ(testsupport::diff_maps(seq_before, testsupport::sequence_values(*cluster_, "postgres", kDataSchemas)), "");
  EXPECT_EQ(schema_before, schema_dump());
  EXPECT_EQ(testsupport::diff_maps(bucket_before, bucket()), "");
  EXPECT_EQ(cluster_->psql("SELECT pg_column_compression(background) FROM public.contacts "
                           "WHERE id = (SELECT min(id) FROM public.contacts)"),
            "lz4\n");
  // The application's trigger on auth.users came back with the schema.
  EXPECT_EQ(cluster_->psql("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'auth.users'::regclass AND NOT tgisinternal"),
            "2\n");
}

TEST_F(BackupRestoreTest, RestoreWithoutTerminalOrYesChangesNothing) {
  testsupport::TempFolder dir;
  std::string prefix = backup(dir.path, {"--no-attachments"});
  cluster_->psql("UPDATE public.tags SET name = name || ' (edited)' WHERE id = (SELECT min(id) FROM public.tags)");
  auto before = checksums();
  auto r = env(dir.path).run({"restore", prefix});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
  EXPECT_EQ(testsupport::diff_maps(before, checksums()), "");
}

TEST_F(BackupRestoreTest, CorruptedFileIsRefusedBeforeTheDatabaseIsTouched) {
  testsupport::TempFolder dir;
  std::string prefix = backup(dir.path, {"--no-attachments"});
  fs::path data = fs::path(dir.path) / (prefix + "-data.sql");
  std::string body = read_file(data);
  body[body.size() / 2] ^= 0x20;
  write_file(data, body);
  cluster_->psql("UPDATE public.tags SET name = 'changed after the backup' WHERE id = (SELECT max(id) FROM public.tags)");
  auto before = checksums();
  auto r = env(dir.path).run({"restore", prefix, "--yes"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find(prefix + "-data.sql: hash"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(testsupport::diff_maps(before, checksums()), "");
}

TEST_F(BackupRestoreTest, ErrorInTheLastCopyBlockRollsBackEverything) {
  testsupport::TempFolder dir;
  std::string prefix = backup(dir.path, {"--no-attachments"});
  fs::path data = fs::path(dir.path) / (prefix + "-data.sql");
  std::string body = read_file(data);
  // Break the last row of the last COPY block: an extra column the server must refuse.
  size_t end = body.rfind("\n\\.\n");
  ASSERT_NE(end, std::string::npos);
  body.insert(end, "\textra-column");
  write_file(data, body);
  size_t line = static_cast<size_t>(std::count(body.begin(), body.begin() + static_cast<long>(end), '\n')) + 1;
  cluster_->psql("DELETE FROM public.tags WHERE id = (SELECT max(id) FROM public.tags)");
  auto before = checksums();
  auto roles_before = cluster_->psql("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles");
  auto r = env(dir.path).run({"restore", prefix, "--yes", "--force"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string msg = r.out + r.err;
  EXPECT_NE(msg.find("--force: RESTORING A BACKUP THAT FAILED VERIFICATION"), std::string::npos) << "--force must be loud";
  EXPECT_NE(msg.find(prefix + "-data.sql"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::to_string(line)), std::string::npos) << "line " << line << ": " << msg;
  EXPECT_NE(msg.find("rolled back"), std::string::npos) << msg;
  EXPECT_EQ(testsupport::diff_maps(before, checksums()), "");
  EXPECT_EQ(roles_before, cluster_->psql("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles"));
}

TEST_F(BackupRestoreTest, InterruptedBackupLeavesNoCompleteLookingSetAndIsCleanedNextTime) {
  testsupport::TempFolder dir;
  std::string good = backup(dir.path, {"--no-attachments", "--no-retention"});
  int interrupted = 0;
  for (int delay_ms : {20, 60, 120, 200, 300, 450}) {
    for (int sig : {SIGKILL, SIGTERM, SIGINT}) {
      // A SIGKILLed run's staging folder stays until a later run gets far enough to clean it;
      // a run interrupted before that point (a slow start under ASan) may leave it in place.
      std::set<std::string> leftovers_before;
      for (const auto& e : fs::directory_iterator(dir.path)) leftovers_before.insert(e.path().filename().string());
      pid_t pid = fork();
      if (pid == 0) {
        setenv("BACKUP_DIR", dir.path.c_str(), 1);
        setenv("SUPABASE_DB_URL", cluster_->url().c_str(), 1);
        setenv("SUPABASE_STORAGE_URL", storage_->url().c_str(), 1);
        setenv("SUPABASE_SERVICE_ROLE_KEY", storage_->key().c_str(), 1);
        int devnull = ::open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        std::string bin = testsupport::cli_binary();
        execl(bin.c_str(), bin.c_str(), "backup", "--no-retention", static_cast<char*>(nullptr));
        _exit(127);
      }
      usleep(static_cast<useconds_t>(delay_ms) * 1000);
      kill(pid, sig);
      int status = 0;
      waitpid(pid, &status, 0);
      bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (!finished) ++interrupted;
      for (const auto& s : engine::scan_backup_dir(dir.path)) {
        if (s.state == engine::SetState::Complete) {
          EXPECT_TRUE(engine::verify_set_files(s).empty()) << s.name.prefix << " looks complete but is not";
        }
      }
      if (sig != SIGKILL && !finished) {
        // An orderly interrupt removes its own leftovers at once.
        for (const auto& e : fs::directory_iterator(dir.path)) {
          std::string name = e.path().filename().string();
          if (leftovers_before.count(name)) continue;
          EXPECT_EQ(name.find(".in-progress"), std::string::npos) << e.path();
        }
      }
    }
  }
  EXPECT_GT(interrupted, 5);
  auto r = env(dir.path).run({"backup", "--no-retention", "--no-attachments"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& s : engine::scan_backup_dir(dir.path)) {
    EXPECT_EQ(s.state, engine::SetState::Complete) << s.name.prefix << ": " << s.state_reason;
    EXPECT_TRUE(engine::verify_set_files(s, {.attachments = true}).empty()) << s.name.prefix;
  }
  for (const auto& e : fs::directory_iterator(dir.path)) EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
  EXPECT_EQ(engine::find_set(dir.path, good).state, engine::SetState::Complete);
}

TEST_F(BackupRestoreTest, SetWrittenByTheOldSystemRestores) {
  testsupport::TempFolder dir;
  // The old system loses the application's triggers on auth.users (its schema.sql leaves auth
  // out). Afterwards the cluster is put back from a set of our own, so the tests that run next
  // find it as they expect, whatever the order.
  testsupport::TempFolder saved;
  std::string saved_prefix = backup(saved.path, {"--no-attachments"});
  struct PutBack {
    std::function<void()> run;
    ~PutBack() { run(); }
  } put_back{[&] {
    auto r = env(saved.path).run({"restore", saved_prefix, "--yes", "--no-attachments"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }};
  std::string prefix = "backup-2024-01-15T14-30-22";
  fs::path base = fs::path(dir.path) / prefix;
  auto roles = sandbox::run_process({"/usr/lib/postgresql/15/bin/pg_dumpall", "-d", cluster_->url(), "--roles-only",
                                     "--no-role-passwords", "--quote-all-identifiers"});
  ASSERT_EQ(roles.exit_code, 0) << roles.err;
  write_file(base.string() + "-roles.sql", roles.out);
  std::vector<std::string> excluded = {"auth", "storage", "extensions", "realtime", "supabase_migrations",
                                       "graphql_public", "pgbouncer"};
  std::vector<std::string> schema_args = {"--schema-only", "--quote-all-identifiers"};
  for (const auto& s : excluded) schema_args.push_back("--exclude-schema=" + s);
  write_file(base.string() + "-schema.sql", old_system_schema_filter(cluster_->pg_dump(schema_args)));
  std::vector<std::string> data_args = {"--data-only", "--quote-all-identifiers", "--exclude-schema=extensions",
                                        "--exclude-schema=realtime", "--exclude-schema=supabase_migrations",
                                        "--exclude-table=auth.schema_migrations", "--exclude-table=storage.migrations"};
  write_file(base.string() + "-data.sql", "SET session_replication_role = replica;\n" + cluster_->pg_dump(data_args));
  auto before = checksums();
  auto schema_before = schema_dump();

  cluster_->psql("DROP TABLE public.deals CASCADE; DELETE FROM auth.identities");
  auto r = env(dir.path).run({"restore", base.string(), "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("no manifest"), std::string::npos) << r.out;
  EXPECT_EQ(testsupport::diff_maps(before, checksums()), "");
  EXPECT_EQ(schema_before, schema_dump());
}

TEST_F(BackupRestoreTest, ErrorsSayWhatToDoAndNeverShowSecrets) {
  testsupport::TempFolder dir;
  auto e = env("");
  e.extra["CRMBACKUP_MAKE_TARGET"] = "backup-database";  // the drop-in wording, as make runs it
  auto r = e.run({"backup"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("BACKUP_DIR environment variable is not set"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Example: BACKUP_DIR=/path/to/backups make backup-database"), std::string::npos);

  e.backup_dir = "relative/path";
  r = e.run({"backup"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("absolute"), std::string::npos) << r.err;

  auto down = env(dir.path);
  down.db_url = "postgresql://postgres:Secret-Pass-123@127.0.0.1:1/postgres";
  r = down.run({"backup", "--connect-timeout", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Supabase does not appear to be running"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("Secret-Pass-123"), std::string::npos) << r.out << r.err;
  EXPECT_TRUE(engine::scan_backup_dir(dir.path).empty());

  auto wrong_pw = env(dir.path);
  wrong_pw.db_url = cluster_->url("postgres", "postgres", "Wrong-Pass-456");
  r = wrong_pw.run({"backup"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("rejected the credentials"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("Wrong-Pass-456"), std::string::npos);

  auto bad_key = env(dir.path);
  bad_key.service_key = "definitely-not-the-key-789";
  r = bad_key.run({"backup"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("definitely-not-the-key-789"), std::string::npos) << r.out << r.err;
  EXPECT_TRUE(engine::scan_backup_dir(dir.path).empty()) << "a rejected key must leave nothing behind";

  r = env(dir.path).run({"restore", "backup-2020-01-01-000000", "--yes"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Backup files not found for prefix"), std::string::npos) << r.err;
  r = env(dir.path).run({"restore", "last-tuesday", "--yes"});
  EXPECT_EQ(r.exit_code, 2);
}

// A schema object of a kind schema.sql cannot write (here an operator) must not be lost in
// silence: the backup says so, the manifest keeps it, and verify and restore repeat it.
TEST_F(BackupRestoreTest, ObjectsTheBackupLeavesOutAreNamedByBackupVerifyAndRestore) {
  cluster_->create_database("leftout");
  sandbox::load_platform(*cluster_, "leftout");
  cluster_->psql(
      "CREATE FUNCTION public.approx_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE "
      "AS 'SELECT abs($1 - $2) < 2';"
      "CREATE OPERATOR public.=~= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.approx_eq);",
      "leftout");
  testsupport::TempFolder dir;
  testsupport::CliEnv e{dir.path, cluster_->url("leftout"), storage_->url(), storage_->key(), {}};
  const std::string what = "not written to schema.sql (kind not supported): operator public.=~=";
  auto b = e.run({"backup", "--no-attachments"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("Warning: " + what), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("1 warning(s)"), std::string::npos) << b.out;

  auto sets = engine::scan_backup_dir(dir.path);
  ASSERT_EQ(sets.size(), 1u);
  ASSERT_TRUE(sets.front().manifest);
  EXPECT_EQ(sets.front().manifest->warnings, std::vector<std::string>{what});
  const std::string prefix = sets.front().name.prefix;

  auto v = e.run({"verify", prefix, "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE((v.out + v.err).find("note: the backup left out: " + what), std::string::npos) << v.out << v.err;
  size_t json_warnings = v.out.find("\"warnings\": [");
  ASSERT_NE(json_warnings, std::string::npos) << v.out;
  EXPECT_NE(v.out.find("\"" + what + "\"", json_warnings), std::string::npos) << v.out;

  // Without a terminal and --yes the restore stops after its summary: nothing is touched.
  auto r = e.run({"restore", prefix});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("The backup recorded what it left out:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(what), std::string::npos) << r.out;
}

// Text search objects the database already holds are replaced, not collided with, and come
// back with the same mappings and the column and index that use them.
TEST_F(BackupRestoreTest, TextSearchObjectsAreRestoredOverTheirOldSelves) {
  cluster_->create_database("fts");
  sandbox::load_platform(*cluster_, "fts");
  cluster_->psql(
      "CREATE TEXT SEARCH DICTIONARY public.crm_simple (TEMPLATE = pg_catalog.simple, STOPWORDS = english);"
      "CREATE TEXT SEARCH CONFIGURATION public.crm_search (COPY = pg_catalog.english);"
      "ALTER TEXT SEARCH CONFIGURATION public.crm_search ALTER MAPPING FOR asciiword WITH public.crm_simple, english_stem;"
      "CREATE TABLE public.notes (id integer PRIMARY KEY, body text,"
      "  doc tsvector GENERATED ALWAYS AS (to_tsvector('public.crm_search'::regconfig, body)) STORED);"
      "CREATE INDEX notes_doc ON public.notes USING gin (doc);"
      "INSERT INTO public.notes (id, body) VALUES (1, 'The quick brown foxes'), (2, 'Jumping over the lazy dogs');",
      "fts");
  const std::string probe =
      "SELECT string_agg(alias || ':' || dictionaries::text, ' ' ORDER BY alias) FROM ts_debug('public.crm_search', "
      "'the Foxes jumping https://x.org') UNION ALL SELECT string_agg(id || '=' || doc::text, ' ' ORDER BY id) FROM public.notes";
  const std::string before = cluster_->psql(probe, "fts");
  ASSERT_NE(before.find("crm_simple"), std::string::npos) << before;

  testsupport::TempFolder dir;
  testsupport::CliEnv e{dir.path, cluster_->url("fts"), storage_->url(), storage_->key(), {}};
  auto b = e.run({"backup", "--no-attachments"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_EQ(b.out.find("Warning"), std::string::npos) << b.out;
  cluster_->psql("ALTER TEXT SEARCH CONFIGURATION public.crm_search DROP MAPPING FOR asciiword;"
                 "UPDATE public.notes SET body = 'changed'", "fts");
  ASSERT_NE(cluster_->psql(probe, "fts"), before);

  auto sets = engine::scan_backup_dir(dir.path);
  ASSERT_EQ(sets.size(), 1u);
  auto r = e.run({"restore", sets.front().name.prefix, "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(cluster_->psql(probe, "fts"), before);
}
