// Faults during a restore: the connection terminated mid-transaction, a truncated or
// corrupted file, a broken last statement in a set without a manifest: the target database is
// exactly as before (table checksums, roles). Storage failing while the attachments are
// uploaded: exit code 3, the database restored (checksums equal the backup's source), the
// failed objects listed.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <thread>
#include <filesystem>
#include <algorithm>
#include <regex>

#include "engine/backupset/backup_dir.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "pgwire/connection.hpp"
#include "pgwire/conninfo.hpp"
#include "storage-api/client.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"
#include "tests/support/fault_helpers.hpp"
#include "tests/support/storage_server.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
using crm::sandbox::PgCluster;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kKey = "faults-restore-service-key";
const char* kDataSchemas = "^(public|auth|storage)$";

class FaultsRestore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = crm::sandbox::start_crm_cluster(8, 31).release();
    storage_root_ = new ts::TempFolder();
    crm::testing::generate_bucket(fs::path(storage_root_->path), "attachments", 30, 2, 31, false);
    storage_ = crm::testing::StorageServer::start(fs::path(storage_root_->path), kKey).release();
    dir_ = new ts::TempFolder();
    auto r = env().run({"backup", "--no-retention"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto sets = crm::engine::scan_backup_dir(dir_->path);
    ASSERT_EQ(sets.size(), 1u);
    prefix_ = sets.front().name.prefix;
    tables_.clear();
    for (const auto& t : sets.front().manifest->tables) tables_.push_back(t.schema + "." + t.name);
    source_ = checksums();
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }

  static ts::CliEnv env(const std::string& dir = "") {
    return {dir.empty() ? dir_->path : dir, cluster_->url(), storage_->url(), kKey, {}};
  }
  // Checksums of the tables the backup holds.
  static std::map<std::string, std::string> checksums() {
    auto all = ts::table_checksums(*cluster_, "postgres", kDataSchemas);
    std::map<std::string, std::string> out;
    for (const auto& t : tables_) out[t] = all[t];
    return out;
  }
  static std::string catalog_state() {
    return cluster_->psql(
        "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles UNION ALL "
        "SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public','auth','storage')");
  }
  // A copy of the set in a fresh folder, so a test can damage it.
  static std::string copy_set(const ts::TempFolder& dir) {
    for (const auto& e : fs::directory_iterator(dir_->path))
      if (e.path().filename().string().rfind(prefix_, 0) == 0)
        fs::copy(e.path(), fs::path(dir.path) / e.path().filename(), fs::copy_options::recursive);
    return dir.path;
  }
  // Something the restore would undo, so "as before" differs from the backup's source.
  static void drift() {
    cluster_->psql("UPDATE public.tags SET name = name || ' drift' WHERE id = (SELECT min(id) FROM public.tags); "
                   "DELETE FROM public.tasks WHERE id = (SELECT max(id) FROM public.tasks)");
  }

  // Deletes the first n objects of the target bucket (a restore must upload them again).
  static std::vector<std::string> lose_objects(std::size_t n) {
    auto bucket = ts::bucket_listing(storage_->url(), kKey);
    std::vector<std::string> lost;
    for (auto it = bucket.begin(); it != bucket.end() && lost.size() < n; ++it) lost.push_back(it->first);
    crm::storage::StorageConfig cfg;
    cfg.base_url = storage_->url();
    cfg.service_key = kKey;
    crm::storage::StorageClient(cfg).delete_objects(lost);
    return lost;
  }

  static PgCluster* cluster_;
  static crm::testing::StorageServer* storage_;
  static ts::TempFolder* storage_root_;
  static ts::TempFolder* dir_;
  static std::string prefix_;
  static std::vector<std::string> tables_;
  static std::map<std::string, std::string> source_;
};
PgCluster* FaultsRestore::cluster_ = nullptr;
crm::testing::StorageServer* FaultsRestore::storage_ = nullptr;
ts::TempFolder* FaultsRestore::storage_root_ = nullptr;
ts::TempFolder* FaultsRestore::dir_ = nullptr;
std::string FaultsRestore::prefix_;
std::vector<std::string> FaultsRestore::tables_;
std::map<std::string, std::string> FaultsRestore::source_;

}  // namespace

TEST_F(FaultsRestore, ConnectionTerminatedMidTransactionLeavesTheDatabaseAsBefore) {
  drift();
  auto before = checksums();
  auto catalog_before = catalog_state();
  ASSERT_NE(before, source_);
  crm::pg::ConnectOptions o;
  o.target = cluster_->url();
  o.application_name = "faults-watcher";
  auto watcher = crm::pg::Connection::open(o);
  bool terminated = false;
  std::string out;
  int code = 0;
  for (int attempt = 0; attempt < 6 && !terminated; ++attempt) {
    ts::BackgroundCli cli(env(), {"restore", prefix_, "--yes", "--no-attachments"});
    // The restore's backend once it has written inside its transaction (it has an xid), and
    // preferably while it streams a COPY.
    while (cli.running()) {
      auto r = watcher.exec(
          "SELECT pid, query FROM pg_stat_activity WHERE application_name = 'crmbackup-native' "
          "AND backend_xid IS NOT NULL ORDER BY (query LIKE 'COPY%') DESC LIMIT 1");
      if (r.rows() > 0 && (std::string(r.get(0, 1)).rfind("COPY", 0) == 0 || attempt >= 3)) {
        watcher.exec("SELECT pg_terminate_backend(" + std::string(r.get(0, 0)) + ")");
        terminated = true;
        break;
      }
    }
    code = cli.wait();
    out = cli.output();
    if (!terminated) {
      ASSERT_EQ(code, 0) << out;  // finished first: the database is the source again
      drift();
      before = checksums();
    }
  }
  ASSERT_TRUE(terminated) << "never caught the restore inside its transaction";
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("rolled back"), std::string::npos) << out;
  EXPECT_NE(out.find("terminat"), std::string::npos) << out;
  EXPECT_EQ(ts::diff_maps(before, checksums()), "");
  EXPECT_EQ(catalog_before, catalog_state());
}

TEST_F(FaultsRestore, TruncatedOrBitFlippedFilesAreRefusedAndNothingChanges) {
  drift();
  auto before = checksums();
  auto catalog_before = catalog_state();
  for (const char* part : {"schema.sql", "data.sql", "roles.sql", "applied-migrations.txt", "migrations.sql"}) {
    for (bool truncate : {true, false}) {
      SCOPED_TRACE(std::string(part) + (truncate ? " truncated" : " bit flipped"));
      ts::TempFolder dir;
      copy_set(dir);
      fs::path f = fs::path(dir.path) / (prefix_ + "-" + part);
      std::string body = ts::slurp(f);
      ASSERT_GT(body.size(), 2u);
      if (truncate) body.resize(body.size() * 2 / 3);
      else body[body.size() - 2] ^= 0x01;
      ts::spit(f, body);
      auto r = env(dir.path).run({"restore", prefix_, "--yes", "--no-attachments"});
      EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
      std::string msg = r.out + r.err;
      EXPECT_NE(msg.find(prefix_ + "-" + part + ": " + (truncate ? "size" : "hash")), std::string::npos) << msg;
      EXPECT_EQ(msg.find("Restoring database"), std::string::npos) << "touched the database: " << msg;
    }
  }
  EXPECT_EQ(ts::diff_maps(before, checksums()), "");
  EXPECT_EQ(catalog_before, catalog_state());
}

TEST_F(FaultsRestore, BrokenLastStatementOfASetWithoutManifestNamesFileAndLineAndRollsBack) {
  drift();
  auto before = checksums();
  auto catalog_before = catalog_state();
  struct Case {
    const char* part;
    std::string tail;
  } cases[] = {
      {"schema.sql", "CREATE TABLE public.broken_last (id int REFERENCES public.no_such_table);\n"},
      {"data.sql", "SELECT 1/0;\n"},
      {"data.sql", "SELECT $$ an unterminated dollar quote;\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.part + (": " + c.tail));
    ts::TempFolder dir;
    copy_set(dir);
    fs::remove(fs::path(dir.path) / (prefix_ + "-manifest.json"));  // a legacy-style set
    fs::path f = fs::path(dir.path) / (prefix_ + "-" + c.part);
    std::string body = ts::slurp(f) + c.tail;
    ts::spit(f, body);
    size_t line = static_cast<size_t>(std::count(body.begin(), body.end(), '\n'));
    auto r = env(dir.path).run({"restore", prefix_, "--yes", "--no-attachments"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    std::string msg = r.out + r.err;
    EXPECT_NE(msg.find(prefix_ + "-" + c.part + ":" + std::to_string(line)), std::string::npos)
        << "expected file:line " << line << " in: " << msg;
    EXPECT_NE(msg.find("rolled back"), std::string::npos) << msg;
    EXPECT_EQ(ts::diff_maps(before, checksums()), "");
    EXPECT_EQ(catalog_before, catalog_state());
  }
}

TEST_F(FaultsRestore, UploadFailuresExitThreeWithTheDatabaseRestoredAndTheObjectsNamed) {
  drift();
  // The target bucket lost some objects, and now refuses every upload.
  std::vector<std::string> lost = lose_objects(3);
  ASSERT_EQ(lost.size(), 3u);
  storage_->admin_post("faults", R"({"fail_every":1,"fail_status":503,"scope":"objects"})");
  auto r = env().run({"restore", prefix_, "--yes", "--retries", "1"});
  storage_->admin_post("reset", "{}");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  std::string msg = r.out + r.err;
  EXPECT_NE(msg.find("The database was restored, but the attachments were not fully restored"), std::string::npos) << msg;
  EXPECT_EQ(ts::diff_maps(source_, checksums()), "");
  for (const auto& n : lost) EXPECT_NE(msg.find("    " + n + ": "), std::string::npos) << n << " not listed: " << msg;
}

TEST_F(FaultsRestore, RetriedUploadsAreCountedOnceInTheProgress) {
  drift();
  // Every second upload is answered 503 after its whole body was sent, then retried.
  storage_->admin_post("faults", R"({"fail_every":2,"fail_status":503,"scope":"objects"})");
  auto r = env().run({"restore", prefix_, "--yes", "--retries", "6"});
  std::string stats = storage_->admin_get("stats");
  storage_->admin_post("reset", "{}");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_NE(stats.find("\"fail\":"), std::string::npos) << stats;
  std::regex line("(^|\n)attachments upload: [0-9,]+/[0-9,]+ files, ([^/,]+)/([^,]+),");
  std::string done, total;
  for (auto it = std::sregex_iterator(r.err.begin(), r.err.end(), line); it != std::sregex_iterator(); ++it) {
    done = (*it)[2].str();
    total = (*it)[3].str();
  }
  ASSERT_FALSE(total.empty()) << r.err;
  EXPECT_EQ(done, total) << r.err;
  EXPECT_EQ(ts::diff_maps(source_, checksums()), "");
}

TEST_F(FaultsRestore, ASetWithoutAttachmentsRestoresWithoutAnyStorageSettings) {
  ts::TempFolder dir;
  auto b = env(dir.path).run({"backup", "--no-retention", "--no-attachments"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto sets = crm::engine::scan_backup_dir(dir.path);
  ASSERT_EQ(sets.size(), 1u);
  auto before = checksums();
  drift();
  storage_->admin_post("reset", "{}");
  // No storage URL and no service key anywhere: the set has no attachments to restore.
  ts::CliEnv no_storage{dir.path, cluster_->url(), "", "", {}};
  auto r = no_storage.run({"restore", sets.front().name.prefix, "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("service key"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(ts::diff_maps(before, checksums()), "");
  EXPECT_NE(storage_->admin_get("stats").find("\"total\":0"), std::string::npos) << "the storage server was asked";
}

// A signal while the attachments upload (every object request held 20 s by the server) stops
// the uploads at once: the database stays restored (it had committed), the message says so and
// that the attachments were not, and --json answers with code interrupted.
TEST_F(FaultsRestore, SignalDuringTheUploadsStopsThemAndSaysTheDatabaseWasRestored) {
  drift();
  std::vector<std::string> lost = lose_objects(3);
  ASSERT_EQ(lost.size(), 3u);
  storage_->admin_post("faults", R"({"delay_every":1,"delay_ms":20000,"scope":"objects"})");
  ts::BackgroundCli cli(env(), {"restore", prefix_, "--yes", "--json", "--transfers", "4"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (cli.running() && std::chrono::steady_clock::now() < deadline &&
         cli.output().find("Restoring attachments") == std::string::npos)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // the uploads are under way
  ASSERT_TRUE(cli.running()) << cli.output();
  cli.kill_with(SIGTERM);
  auto exit_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (cli.running() && std::chrono::steady_clock::now() < exit_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  storage_->admin_post("reset", "{}");
  ASSERT_FALSE(cli.running()) << cli.output();
  EXPECT_EQ(cli.wait(), 128 + SIGTERM) << cli.output();
  std::string out = cli.output();
  EXPECT_NE(out.find("the database was restored (it had committed); the attachments were not fully restored"),
            std::string::npos) << out;
  EXPECT_NE(out.find("\"code\": \"interrupted\""), std::string::npos) << out;
  EXPECT_EQ(out.find("Stopped without waiting"), std::string::npos) << "the guard had to force the exit: " << out;
  EXPECT_EQ(ts::diff_maps(source_, checksums()), "");
}
