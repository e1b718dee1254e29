// Incremental attachments: an unchanged bucket is not downloaded again, its files are links
// to the previous set's; changed, added and deleted objects are handled exactly; a damaged
// file in the previous set is fetched afresh; deleting the older set never hurts the newer.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/staging.hpp"
#include "engine/backupset/verify_files.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/storage_server.hpp"
#include "storage-api/client.hpp"
#include "tests/support/cli_env.hpp"

using namespace crm;
namespace fs = std::filesystem;

namespace {

class IncrementalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = sandbox::start_crm_cluster(1, 5).release();
    root_ = new testsupport::TempFolder();
    sandbox::generate_bucket(root_->path, "attachments", 30, 4, 5, false);
    storage_ = sandbox::StorageServer::start({.root = root_->path}).release();
  }
  static void TearDownTestSuite() {
    delete storage_;
    delete root_;
    delete cluster_;
  }
  testsupport::CliEnv env(const std::string& dir) const {
    return {dir, cluster_->url(), storage_->url(), storage_->key(), {}};
  }
  // Runs a backup; returns the new prefix and how many objects were downloaded.
  std::pair<std::string, int> backup(const std::string& dir, std::vector<std::string> extra = {}) {
    storage_->admin_post("reset", "{}");
    std::vector<std::string> args = {"backup", "--no-retention"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = env(dir).run(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    last_output_ = r.out;
    std::smatch m;
    std::string stats = storage_->admin_get("stats");
    int gets = std::regex_search(stats, m, std::regex(R"("object_get"\s*:\s*(\d+))")) ? std::stoi(m[1]) : 0;
    return {engine::scan_backup_dir(dir).front().name.prefix, gets};
  }
  static ino_t inode(const fs::path& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
  }

  static sandbox::PgCluster* cluster_;
  static sandbox::StorageServer* storage_;
  static testsupport::TempFolder* root_;
  std::string last_output_;
};
sandbox::PgCluster* IncrementalTest::cluster_ = nullptr;
sandbox::StorageServer* IncrementalTest::storage_ = nullptr;
testsupport::TempFolder* IncrementalTest::root_ = nullptr;

}  // namespace

TEST_F(IncrementalTest, UnchangedChangedAddedDeletedAndDamaged) {
  testsupport::TempFolder dir;
  auto [first, first_gets] = backup(dir.path);
  EXPECT_EQ(first_gets, 30);
  sleep(1);  // the next set gets its own second

  auto [second, second_gets] = backup(dir.path);
  EXPECT_EQ(second_gets, 0) << "an unchanged bucket must not be downloaded again";
  EXPECT_NE(last_output_.find("30 hard links"), std::string::npos) << last_output_;
  auto s1 = engine::find_set(dir.path, first), s2 = engine::find_set(dir.path, second);
  ASSERT_EQ(s2.manifest->objects.size(), 30u);
  for (const auto& o : s2.manifest->objects) {
    EXPECT_EQ(o.source, "linked") << o.path;
    EXPECT_EQ(o.from_set, first);
    EXPECT_EQ(inode(s1.part("attachments") / o.path), inode(s2.part("attachments") / o.path)) << o.path;
  }
  // Retention's size check uses what a set contains; list says what it alone holds on disk.
  EXPECT_EQ(s2.attachments_bytes, s1.attachments_bytes);
  auto list = env(dir.path).run({"list"});
  EXPECT_NE(list.out.find("on disk only in this set"), std::string::npos) << list.out;

  // Deleting the first set leaves the second whole (the links keep the bytes).
  engine::remove_set(dir.path, first);
  auto v = env(dir.path).run({"verify", second});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  // Change two objects, add one, delete one.
  std::vector<std::string> names;
  for (const auto& o : s2.manifest->objects) names.push_back(o.path);
  storage_->put_raw("attachments", names[0], "changed content 0");
  storage_->put_raw("attachments", names[1], "changed content 1, longer");
  storage_->put_raw("attachments", "new/added file.txt", "brand new");
  storage::StorageConfig cfg{.base_url = storage_->url(), .service_key = storage_->key()};
  storage::StorageClient(cfg).delete_objects({names[2]});
  sleep(1);
  auto [third, third_gets] = backup(dir.path);
  EXPECT_EQ(third_gets, 3) << "exactly the changed and added objects";
  auto s3 = engine::find_set(dir.path, third);
  std::map<std::string, std::string> source;
  for (const auto& o : s3.manifest->objects) source[o.path] = o.source;
  EXPECT_EQ(source.size(), 30u);
  EXPECT_EQ(source[names[0]], "downloaded");
  EXPECT_EQ(source[names[1]], "downloaded");
  EXPECT_EQ(source["new/added file.txt"], "downloaded");
  EXPECT_FALSE(source.count(names[2]));
  EXPECT_EQ(source[names[3]], "linked");
  EXPECT_TRUE(engine::verify_set_files(s3).empty());

  // Damage a file of the newest set on disk (every set linking it sees the damage, which is
  // why it must not be linked again): the next backup fetches it afresh.
  fs::path damaged = s3.part("attachments") / names[3];
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    char c = 0;
    f.get(c);
    f.seekp(0);
    f.put(static_cast<char>(c ^ 0x55));
  }
  sleep(1);
  auto [fourth, fourth_gets] = backup(dir.path);
  EXPECT_EQ(fourth_gets, 1);
  EXPECT_NE(last_output_.find("damaged in the previous set"), std::string::npos) << last_output_;
  auto s4 = engine::find_set(dir.path, fourth);
  EXPECT_TRUE(engine::verify_set_files(s4).empty());
  EXPECT_NE(inode(damaged), inode(s4.part("attachments") / names[3]));

  // --full downloads everything again.
  sleep(1);
  auto [full, full_gets] = backup(dir.path, {"--full"});
  EXPECT_EQ(full_gets, 30);
  auto full_set = engine::find_set(dir.path, full);
  for (const auto& o : full_set.manifest->objects) EXPECT_EQ(o.source, "downloaded");
}
