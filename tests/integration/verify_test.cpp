// verify: a good set verifies; damage is reported with the right file (and table); a set
// restores into a scratch database and matches its manifest; a tampered row fails naming
// its table; the source database is never used as the scratch one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/verify/verify_runner.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/storage_server.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/files.hpp"

using namespace crm;
namespace fs = std::filesystem;
using crm::testsupport::read_file;

namespace {

class VerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = sandbox::start_crm_cluster(2, 11).release();
    root_ = new testsupport::TempFolder();
    sandbox::generate_bucket(root_->path, "attachments", 20, 3, 11, false);
    storage_ = sandbox::StorageServer::start({.root = root_->path}).release();
    dir_ = new testsupport::TempFolder();
    auto r = env().run({"backup"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    prefix_ = engine::scan_backup_dir(dir_->path).front().name.prefix;
  }
  static void TearDownTestSuite() {
    delete storage_;
    delete root_;
    delete dir_;
    delete cluster_;
  }
  static testsupport::CliEnv env() { return {dir_->path, cluster_->url(), storage_->url(), storage_->key(), {}}; }
  // A copy of the good set in a fresh folder, to damage.
  static std::unique_ptr<testsupport::TempFolder> copy_set() {
    auto t = std::make_unique<testsupport::TempFolder>();
    fs::copy(dir_->path, t->path, fs::copy_options::recursive);
    return t;
  }
  static std::string scratch_with_platform(const std::string& name) {
    cluster_->create_database(name);
    sandbox::load_platform(*cluster_, name);
    return cluster_->url(name);
  }

  static sandbox::PgCluster* cluster_;
  static sandbox::StorageServer* storage_;
  static testsupport::TempFolder *root_, *dir_;
  static std::string prefix_;
};
sandbox::PgCluster* VerifyTest::cluster_ = nullptr;
sandbox::StorageServer* VerifyTest::storage_ = nullptr;
testsupport::TempFolder* VerifyTest::root_ = nullptr;
testsupport::TempFolder* VerifyTest::dir_ = nullptr;
std::string VerifyTest::prefix_;

}  // namespace

TEST_F(VerifyTest, AGoodSetVerifiesAndReportsJson) {
  auto r = env().run({"verify", prefix_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("verified"), std::string::npos) << r.out;
  auto j = env().run({"verify", prefix_, "--json"});
  EXPECT_EQ(j.exit_code, 0);
  EXPECT_NE(j.out.find("\"ok\": true"), std::string::npos) << j.out;
}

TEST_F(VerifyTest, DamageIsReportedWithTheRightFileAndExitsNonZero) {
  struct Case {
    std::string file;
    std::function<void(const fs::path&)> damage;
    std::string expect;
  };
  std::vector<Case> cases = {
      {"-roles.sql", [](const fs::path& p) { auto s = read_file(p); s[s.size() / 3] ^= 1; std::ofstream(p) << s; }, "hash"},
      {"-schema.sql", [](const fs::path& p) { fs::resize_file(p, fs::file_size(p) - 10); }, "size"},
      {"-data.sql", [](const fs::path& p) { fs::remove(p); }, "missing"},
      {"-applied-migrations.txt", [](const fs::path& p) { std::ofstream(p, std::ios::app) << "20990101000000\n"; }, "size"},
  };
  for (const auto& c : cases) {
    auto t = copy_set();
    fs::path target = fs::path(t->path) / (prefix_ + c.file);
    c.damage(target);
    auto r = env().run({"verify", (fs::path(t->path) / prefix_).string()});
    EXPECT_EQ(r.exit_code, 1) << c.file << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find(prefix_ + c.file + ": " + c.expect), std::string::npos) << c.file << "\n" << r.out;
  }
  auto t = copy_set();
  std::ofstream(fs::path(t->path) / (prefix_ + "-attachments") / "stowaway.bin") << "x";
  auto r = env().run({"verify", (fs::path(t->path) / prefix_).string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("stowaway.bin: extra"), std::string::npos) << r.out;
}

TEST_F(VerifyTest, AnEditedRowNamesItsTable) {
  auto t = copy_set();
  fs::path data = fs::path(t->path) / (prefix_ + "-data.sql");
  std::string s = read_file(data);
  size_t copy = s.find("COPY \"public\".\"tags\"");
  ASSERT_NE(copy, std::string::npos);
  size_t row = s.find('\n', copy) + 1;
  size_t tab = s.find('\t', row);
  s[tab + 1] = s[tab + 1] == 'Z' ? 'Y' : 'Z';  // a valid but different name
  std::ofstream(data, std::ios::binary) << s;
  auto r = env().run({"verify", (fs::path(t->path) / prefix_).string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(prefix_ + "-data.sql: hash"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("table public.tags"), std::string::npos) << r.out;

  // Restored into a scratch database, the difference shows up in that table and nowhere else.
  std::string scratch = scratch_with_platform("scratch_tampered");
  auto rr = env().run({"verify", (fs::path(t->path) / prefix_).string(), "--restore-into", scratch});
  EXPECT_EQ(rr.exit_code, 1) << rr.out << rr.err;
  EXPECT_NE(rr.out.find("public.tags: table: restored"), std::string::npos) << rr.out;
  EXPECT_EQ(rr.out.find("public.contacts: table"), std::string::npos) << rr.out;
}

TEST_F(VerifyTest, RestoreIntoAScratchDatabaseMatchesTheManifest) {
  std::string scratch = scratch_with_platform("scratch_ok");
  testsupport::TempFolder bucket_root;
  auto scratch_storage = sandbox::StorageServer::start({.root = bucket_root.path});
  auto r = env().run({"verify", prefix_, "--restore-into", scratch, "--storage-url", scratch_storage->url(),
                      "--service-key", scratch_storage->key(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"restored\": true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"attachments\": 20"), std::string::npos) << r.out;
  EXPECT_EQ(testsupport::bucket_listing(scratch_storage->url(), scratch_storage->key()),
            testsupport::bucket_listing(storage_->url(), storage_->key()));
}

TEST_F(VerifyTest, TheSourceDatabaseAndBusyDatabasesAreRefused) {
  auto before = cluster_->psql("SELECT count(*) FROM public.contacts");
  auto r = env().run({"verify", prefix_, "--restore-into", cluster_->url()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("taken from"), std::string::npos) << r.err;
  EXPECT_EQ(before, cluster_->psql("SELECT count(*) FROM public.contacts"));

  std::string busy = scratch_with_platform("scratch_busy");
  cluster_->psql("CREATE TABLE public.notes (t text); INSERT INTO public.notes VALUES ('keep me')", "scratch_busy");
  r = env().run({"verify", prefix_, "--restore-into", busy});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("holds application data"), std::string::npos) << r.err;
  EXPECT_EQ(cluster_->psql("SELECT t FROM public.notes", "scratch_busy"), "keep me\n");
}

TEST_F(VerifyTest, LegacySetSaysSoAndStillChecksWhatItCan) {
  auto t = copy_set();
  fs::remove(fs::path(t->path) / (prefix_ + "-manifest.json"));
  auto r = env().run({"verify", (fs::path(t->path) / prefix_).string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("legacy"), std::string::npos) << r.out;
  std::ofstream(fs::path(t->path) / (prefix_ + "-schema.sql"), std::ios::app) << "\nCREATE TABLE broken (a text DEFAULT 'unterminated);\n";
  r = env().run({"verify", (fs::path(t->path) / prefix_).string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(prefix_ + "-schema.sql: unparsable"), std::string::npos) << r.out;
}

// The runner behind the command: its lines go to the stream it is given, the verdict and the
// JSON report come back in the outcome (the command prints them), for a good and a damaged set.
TEST_F(VerifyTest, TheRunnerPrintsTheProblemsAndReturnsTheVerdictAndTheReport) {
  engine::VerifyOptions good;
  good.backup_dir = dir_->path;
  good.set = prefix_;
  std::ostringstream good_lines;
  auto ok = engine::run_verify(good, good_lines);
  EXPECT_EQ(ok.exit_code, 0) << good_lines.str();
  EXPECT_EQ(ok.verdict, "\u2713 Backup " + prefix_ + " verified\n");
  EXPECT_NE(ok.json.find("\"ok\": true"), std::string::npos) << ok.json;
  EXPECT_NE(good_lines.str().find("Verifying " + prefix_), std::string::npos) << good_lines.str();
  EXPECT_EQ(good_lines.str().find("verified"), std::string::npos) << good_lines.str();

  auto t = copy_set();
  fs::path schema = fs::path(t->path) / (prefix_ + "-schema.sql");
  fs::resize_file(schema, fs::file_size(schema) - 10);
  engine::VerifyOptions damaged;
  damaged.set = (fs::path(t->path) / prefix_).string();
  damaged.attachments = false;
  std::ostringstream damaged_lines;
  auto bad = engine::run_verify(damaged, damaged_lines);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(damaged_lines.str().find("\u2717 " + prefix_ + "-schema.sql: size"), std::string::npos)
      << damaged_lines.str();
  EXPECT_EQ(bad.verdict.rfind("\u2717 Backup " + prefix_ + ": ", 0), 0u) << bad.verdict;
  EXPECT_NE(bad.json.find("\"code\": \"damaged_set\""), std::string::npos) << bad.json;
  EXPECT_NE(bad.json.find("\"exit_code\": 1"), std::string::npos) << bad.json;
}
