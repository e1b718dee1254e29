// Attachments encrypted while they download (storage::BodyTransform + engine::EncryptingDownload)
// against the fixture Storage server with cut bodies: every retry starts a fresh encryption over
// a fresh file, the files hold only ciphertext that decrypts to the bucket's bytes, and the
// results still describe the plaintext (the manifest records plaintext sizes and hashes).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/encrypted_stream.hpp"
#include "engine/backup/encrypting_download.hpp"
#include "engine/io/hash.hpp"
#include "storage-api/transfer_engine.hpp"
#include "tests/support/files.hpp"
#include "tests/support/storage_server.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
using namespace crm;
using crm::testing::StorageServer;

namespace {

const std::string kKey = "encrypting-download-service-key";

storage::StorageConfig config_for(const StorageServer& s) {
  storage::StorageConfig cfg;
  cfg.base_url = s.url();
  cfg.service_key = kKey;
  cfg.transfers = 4;
  cfg.retry_base_ms = 10;
  cfg.retry_max_ms = 50;
  cfg.max_retries = 8;
  cfg.warn = [](const std::string&) {};
  return cfg;
}

// A counter of the server's /__admin/stats; 0 when absent.
std::uint64_t stat(const StorageServer& s, const std::string& key) {
  std::string json = s.admin_get("stats");
  auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return 0;
  return std::stoull(json.substr(at + key.size() + 3));
}

std::string binding_of(const std::string& name) { return "set-under-test/attachments/" + name; }

class EncryptingDownloadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new ts::TempFolder();
    crm::testing::generate_bucket(root_->path, "attachments", 24, 2, 7, false);
    server_ = StorageServer::start(root_->path, kKey).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete root_;
  }
  void SetUp() override { server_->admin_post("reset", "{}"); }
  void TearDown() override { server_->admin_post("reset", "{}"); }

  static ts::TempFolder* root_;
  static StorageServer* server_;
};
ts::TempFolder* EncryptingDownloadTest::root_ = nullptr;
StorageServer* EncryptingDownloadTest::server_ = nullptr;

TEST_F(EncryptingDownloadTest, RetriedDownloadsRestartTheirEncryptionAndStoreOnlyCiphertext) {
  const auto objects = crm::testing::read_server_bucket(root_->path, "attachments");
  ASSERT_GE(objects.size(), 10u);
  ts::TempDir out;
  std::vector<storage::DownloadJob> jobs;
  for (const auto& [name, o] : objects) jobs.push_back({name, out.path / std::to_string(jobs.size()), o.size});

  const crypto::DataKey key = crypto::DataKey::generate();
  std::size_t transforms = 0;
  std::map<std::size_t, engine::StoredFile> stored;
  storage::DownloadOptions opts;
  opts.transform = [&](std::size_t job, storage::BodyTransform::Output sink) {
    ++transforms;
    return std::make_unique<engine::EncryptingDownload>(key, binding_of(jobs[job].name), std::move(sink),
                                                        [&stored, job](engine::StoredFile f) { stored[job] = f; });
  };
  // Every second body is cut in half: those downloads are retried from the first byte.
  server_->admin_post("faults", R"({"truncate_every":2,"scope":"objects"})");
  auto results = storage::download_objects(config_for(*server_), jobs, {}, opts);
  ASSERT_GT(stat(*server_, "truncate"), 0u);
  EXPECT_GT(transforms, jobs.size()) << "the retries made no new transform";

  ASSERT_EQ(results.size(), jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& r = results[i];
    ASSERT_TRUE(r.ok) << r.name << ": " << r.error;
    const std::string plain = ts::read_file(objects.at(r.name).data);
    // The result describes what was received, as the manifest records it.
    EXPECT_EQ(r.size, plain.size()) << r.name;
    EXPECT_EQ(r.xxh3_128, engine::xxh3_128_hex(plain)) << r.name;
    // The file is one whole encrypted part of the complete body: no half of a cut attempt in it.
    const std::string cipher = ts::read_file(jobs[i].dest);
    EXPECT_EQ(cipher.substr(0, 8), "CRMBKENC") << r.name;
    EXPECT_EQ(crypto::decrypt_buffer(key, binding_of(r.name), r.name, cipher), plain) << r.name;
    if (plain.size() >= 64) EXPECT_EQ(cipher.find(plain.substr(0, 64)), std::string::npos) << r.name;
    // What the summary lists is the file as stored.
    ASSERT_TRUE(stored.count(i)) << r.name;
    EXPECT_EQ(stored.at(i).size, cipher.size()) << r.name;
    EXPECT_EQ(stored.at(i).xxh3_128, engine::xxh3_128_hex(cipher)) << r.name;
  }
  for (const auto& e : fs::directory_iterator(out.path))
    EXPECT_NE(e.path().extension(), ".partial") << e.path();
}

TEST_F(EncryptingDownloadTest, ATransformThatFailsFailsItsObjectOnlyAndLeavesNoPartialFile) {
  const auto objects = crm::testing::read_server_bucket(root_->path, "attachments");
  ts::TempDir out;
  std::vector<storage::DownloadJob> jobs;
  for (const auto& [name, o] : objects) jobs.push_back({name, out.path / std::to_string(jobs.size()), o.size});
  const std::string broken = jobs.front().name;

  // Passes bytes on unchanged, except for one object whose transform refuses them.
  class Refusing final : public storage::BodyTransform {
   public:
    Refusing(Output out, bool refuse) : out_(std::move(out)), refuse_(refuse) {}
    void write(std::string_view bytes) override {
      if (refuse_) throw std::runtime_error("refused by the test's transform");
      out_(bytes);
    }
    void finish() override {}

   private:
    Output out_;
    bool refuse_;
  };
  storage::DownloadOptions opts;
  opts.transform = [&](std::size_t job, storage::BodyTransform::Output sink) {
    return std::make_unique<Refusing>(std::move(sink), jobs[job].name == broken);
  };
  auto results = storage::download_objects(config_for(*server_), jobs, {}, opts);
  ASSERT_EQ(results.size(), jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (results[i].name == broken) {
      EXPECT_FALSE(results[i].ok);
      EXPECT_NE(results[i].error.find("refused by the test's transform"), std::string::npos) << results[i].error;
      EXPECT_FALSE(fs::exists(jobs[i].dest));
    } else {
      ASSERT_TRUE(results[i].ok) << results[i].name << ": " << results[i].error;
      EXPECT_EQ(ts::read_file(jobs[i].dest), ts::read_file(objects.at(results[i].name).data)) << results[i].name;
    }
  }
  for (const auto& e : fs::directory_iterator(out.path))
    EXPECT_NE(e.path().extension(), ".partial") << e.path();
}

}  // namespace
