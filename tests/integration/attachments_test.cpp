// Attachments through the Storage API against the fixture server on loopback: backup, restore,
// faults, hostile names, bad keys, missing buckets, the v1 fallback and the old layout.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "engine/attachments/attachments.hpp"
#include "engine/io/hash.hpp"
#include "fixtures/sandbox/process.hpp"
#include "storage-api/errors.hpp"
#include "tests/support/storage_server.hpp"

namespace fs = std::filesystem;
using namespace crm;
using crm::testing::StorageServer;

namespace {

const std::string kKey = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2VjcmV0LXRlc3Qta2V5LTQy";

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "crm-att-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

storage::StorageConfig config_for(const StorageServer& s, const std::string& bucket = "attachments") {
  storage::StorageConfig cfg;
  cfg.base_url = s.url();
  cfg.service_key = kKey;
  cfg.bucket = bucket;
  cfg.transfers = 8;
  cfg.retry_base_ms = 10;
  cfg.retry_max_ms = 200;
  cfg.max_retries = 8;
  cfg.timeouts.low_speed_seconds = 5;
  return cfg;
}

engine::BackupAttachmentsOptions quiet() {
  engine::BackupAttachmentsOptions o;
  o.show_progress = false;
  return o;
}

int mode_of(const fs::path& p) {
  struct stat st{};
  lstat(p.c_str(), &st);
  return st.st_mode & 07777;
}

// Every object the server holds is in the backup with the same bytes, hash and metadata.
void expect_backup_equals_server(const engine::BackupAttachmentsResult& r, const fs::path& dest,
                                 const std::map<std::string, crm::testing::ServerObject>& server) {
  ASSERT_TRUE(r.ok()) << (r.failures.empty() ? "" : r.failures[0].path + ": " + r.failures[0].reason);
  ASSERT_EQ(r.objects.size(), server.size());
  std::set<std::string> seen;
  for (const auto& o : r.objects) {
    auto it = server.find(o.path);
    ASSERT_NE(it, server.end()) << o.path;
    seen.insert(o.path);
    fs::path local = dest / o.path;
    std::uint64_t size = 0;
    std::string local_hash = engine::xxh3_128_file(local, &size);
    EXPECT_EQ(local_hash, engine::xxh3_128_file(it->second.data)) << o.path;
    EXPECT_EQ(o.xxh3_128, local_hash) << o.path;
    EXPECT_EQ(o.size, it->second.size) << o.path;
    EXPECT_EQ(size, it->second.size) << o.path;
    EXPECT_EQ(o.content_type, it->second.content_type) << o.path;
    EXPECT_EQ(o.cache_control, it->second.cache_control) << o.path;
    EXPECT_EQ(o.etag.size(), 34u) << o.path;  // quoted md5
    EXPECT_FALSE(o.last_modified.empty()) << o.path;
    EXPECT_EQ(mode_of(local), 0600) << o.path;
  }
  EXPECT_EQ(seen.size(), server.size());
  for (const auto& e : fs::recursive_directory_iterator(dest)) {
    EXPECT_FALSE(e.path().string().ends_with(".partial")) << e.path();
    if (e.is_directory()) {
      EXPECT_EQ(mode_of(e.path()), 0700) << e.path();
    }
  }
}

}  // namespace

TEST(Attachments, BackupOfGeneratedBucketMatchesServerFiles) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 160, 48, 11, true);
  auto server = StorageServer::start(tmp.path() / "server", kKey);
  auto objects = crm::testing::read_server_bucket(tmp.path() / "server", "attachments");
  ASSERT_GE(objects.size(), 160u);
  // The set the test relies on: the empty file, awkward names, nested folders, multi-MB files.
  ASSERT_TRUE(objects.count("empty/empty-file.bin"));
  ASSERT_TRUE(objects.count("contacts/trailing space.pdf "));
  ASSERT_TRUE(objects.count("notes/a+b&c;d=e!f?g$h*i@j:k,l'm(n).pdf"));
  ASSERT_TRUE(objects.count("legacy/hash#tag.txt"));
  ASSERT_TRUE(objects.count("legacy/ünïcödé ✓ résumé.pdf"));
  ASSERT_TRUE(objects.count("x/y/z/deeply/nested/folder/file.txt"));
  std::uint64_t biggest = 0;
  for (const auto& [n, o] : objects) biggest = std::max(biggest, o.size);
  ASSERT_GT(biggest, 2u << 20);

  fs::path dest = tmp.path() / "backup-attachments";
  auto r = engine::backup_attachments(config_for(*server), dest, quiet());
  EXPECT_EQ(r.listing, storage::ListingMethod::kV2);
  expect_backup_equals_server(r, dest, objects);
  EXPECT_EQ(mode_of(dest), 0700);
}

TEST(Attachments, CliDumpPrintsOneJsonLinePerObjectAndNeverTheKey) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 40, 4, 3, false);
  auto server = StorageServer::start(tmp.path() / "server", kKey);
  sandbox::ProcessOptions po;
  po.env = {{"SUPABASE_STORAGE_URL", server->url()}, {"SUPABASE_SERVICE_ROLE_KEY", kKey}};
  auto r = sandbox::run_process({crm::testing::cli_binary(), "dump", "attachments", "--output",
                                 (tmp.path() / "out").string(), "--json"},
                                po);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t lines = std::count(r.out.begin(), r.out.end(), '\n');
  EXPECT_EQ(lines, 40u);
  EXPECT_NE(r.out.find("\"path\":\"empty/empty-file.bin\",\"size\":0"), std::string::npos);
  EXPECT_NE(r.out.find("\"xxh3_128\":\""), std::string::npos);
  EXPECT_NE(r.out.find("\"content_type\":\""), std::string::npos);
  EXPECT_NE(r.err.find("Found 40 files"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(kKey), std::string::npos);
  EXPECT_EQ(r.err.find(kKey), std::string::npos);
}

TEST(Attachments, BadKeyIsReportedAsRejectedWithoutPrintingIt) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 10, 1, 3, false);
  auto server = StorageServer::start(tmp.path() / "server", kKey);
  const std::string wrong = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.d3JvbmctdGVzdC1rZXktOTk5";
  sandbox::ProcessOptions po;
  po.env = {{"SUPABASE_STORAGE_URL", server->url()}, {"SUPABASE_SERVICE_ROLE_KEY", wrong}};
  auto r = sandbox::run_process({crm::testing::cli_binary(), "dump", "attachments", "--output",
                                 (tmp.path() / "out").string(), "--json"},
                                po);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("storage rejected the service key"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(wrong), std::string::npos);
  EXPECT_EQ(r.out.find(wrong), std::string::npos);
  EXPECT_EQ(r.err.find("d3JvbmctdGVzdC1rZXktOTk5"), std::string::npos);

  // Missing key: a usage error naming the variable to set.
  po.env.erase("SUPABASE_SERVICE_ROLE_KEY");
  po.unset_env = {"SUPABASE_SERVICE_ROLE_KEY"};
  r = sandbox::run_process({crm::testing::cli_binary(), "dump", "attachments", "--output", (tmp.path() / "out").string()},
                           po);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("SUPABASE_SERVICE_ROLE_KEY"), std::string::npos) << r.err;

  // Through the library: a distinct error kind.
  auto cfg = config_for(*server);
  cfg.service_key = wrong;
  try {
    engine::backup_attachments(cfg, tmp.path() / "out2", quiet());
    FAIL() << "a wrong key must not back up anything";
  } catch (const storage::StorageError& e) {
    EXPECT_EQ(e.kind(), storage::ErrorKind::kKeyRejected);
    EXPECT_EQ(std::string(e.what()).find(wrong), std::string::npos);
  }
}

TEST(Attachments, MissingBucketIsReportedAsMissingNotEmpty) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 5, 1, 3, false);
  auto server = StorageServer::start(tmp.path() / "server", kKey);
  try {
    engine::backup_attachments(config_for(*server, "no-such-bucket"), tmp.path() / "out", quiet());
    FAIL() << "a missing bucket must not give an empty backup";
  } catch (const storage::StorageError& e) {
    EXPECT_EQ(e.kind(), storage::ErrorKind::kBucketMissing);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(tmp.path() / "out"));
}

TEST(Attachments, HostileNamesAreRefusedAndNothingIsWrittenOutside) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 12, 1, 5, false);
  auto server = StorageServer::start(tmp.path() / "server", kKey);
  const std::vector<std::string> hostile = {"../escaped.txt", "a/../../escaped2.txt", "/abs/escaped3.txt",
                                            "dir//double.txt", "back\\slash.txt", std::string("nul\0byte.txt", 12),
                                            std::string(300, 'L') + ".txt", "ok/./dot.txt"};
  for (const auto& n : hostile) server->put_raw("attachments", n, "evil bytes");
  fs::path set = tmp.path() / "sets" / "backup-x-attachments";
  auto r = engine::backup_attachments(config_for(*server), set, quiet());
  std::set<std::string> failed;
  for (const auto& f : r.failures) {
    failed.insert(f.path);
    EXPECT_FALSE(f.reason.empty());
  }
  for (const auto& n : hostile) EXPECT_TRUE(failed.count(n)) << "not refused: " << n;
  EXPECT_EQ(r.failures.size(), hostile.size());
  EXPECT_EQ(r.objects.size(), 12u);
  // Nothing escaped: the only thing next to the set's folder is the set's folder.
  std::vector<fs::path> siblings;
  for (const auto& e : fs::directory_iterator(tmp.path() / "sets")) siblings.push_back(e.path());
  ASSERT_EQ(siblings.size(), 1u);
  for (const auto& e : fs::recursive_directory_iterator(tmp.path())) {
    EXPECT_EQ(e.path().filename().string().find("escaped"), std::string::npos) << e.path();
  }
  for (const auto& e : fs::recursive_directory_iterator(set)) {
    if (e.is_regular_file()) {
      std::ifstream in(e.path());
      std::string content((std::istreambuf_iterator<char>(in)), {});
      EXPECT_NE(content, "evil bytes") << e.path();
    }
  }
}

TEST(Attachments, EveryFaultKnobOnTheBackupStillCompletesExactly) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 120, 24, 21, true);
  auto server = StorageServer::start(tmp.path() / "server", kKey);
  auto objects = crm::testing::read_server_bucket(tmp.path() / "server", "attachments");
  server->admin_post("faults",
                     R"({"fail_every":7,"fail_status":503,"throttle_every":11,"retry_after":0,"reset_every":5,)"
                     R"("truncate_every":6,"stall_every":13,"stall_ms":300,"delay_every":4,"delay_ms":30,"scope":"all"})");
  fs::path dest = tmp.path() / "out";
  auto r = engine::backup_attachments(config_for(*server), dest, quiet());
  expect_backup_equals_server(r, dest, objects);
  std::string stats = server->admin_get("stats");
  for (const char* kind : {"\"fail\"", "\"throttle\"", "\"reset\"", "\"truncate\"", "\"stall\"", "\"delay\""})
    EXPECT_NE(stats.find(kind), std::string::npos) << kind << " never injected: " << stats;

  // 500s as well, every third request.
  server->admin_post("reset", "{}");
  server->admin_post("faults", R"({"fail_every":3,"fail_status":500,"scope":"all"})");
  fs::path dest2 = tmp.path() / "out2";
  expect_backup_equals_server(engine::backup_attachments(config_for(*server), dest2, quiet()), dest2, objects);
}

TEST(Attachments, PermanentFaultsNameEveryFailedObject) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 30, 2, 8, false);
  auto server = StorageServer::start(tmp.path() / "server", kKey);
  auto objects = crm::testing::read_server_bucket(tmp.path() / "server", "attachments");
  // Listing works (scope "objects"); every download answers 503.
  server->admin_post("faults", R"({"fail_every":1,"fail_status":503,"scope":"objects"})");
  auto cfg = config_for(*server);
  cfg.max_retries = 2;
  fs::path dest = tmp.path() / "out";
  auto r = engine::backup_attachments(cfg, dest, quiet());
  EXPECT_FALSE(r.ok());
  std::set<std::string> failed;
  for (const auto& f : r.failures) {
    failed.insert(f.path);
    EXPECT_NE(f.reason.find("503"), std::string::npos) << f.reason;
  }
  EXPECT_EQ(failed.size(), objects.size());
  for (const auto& [name, o] : objects) EXPECT_TRUE(failed.count(name)) << name;
  for (const auto& e : fs::recursive_directory_iterator(dest)) EXPECT_FALSE(e.is_regular_file()) << e.path();

  // The CLI names every object on stderr and exits 1.
  sandbox::ProcessOptions po;
  po.env = {{"SUPABASE_STORAGE_URL", server->url()}, {"SUPABASE_SERVICE_ROLE_KEY", kKey}};
  auto p = sandbox::run_process({crm::testing::cli_binary(), "dump", "attachments", "--output",
                                 (tmp.path() / "cli").string(), "--transfers", "4", "--retries", "1"},
                                po);
  EXPECT_EQ(p.exit_code, 1);
  for (const auto& [name, o] : objects) EXPECT_NE(p.err.find("'" + name + "'"), std::string::npos) << name;
}

TEST(Attachments, RestoreIntoAnEmptyServerMakesTheBucketEqual) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "source", "attachments", 80, 12, 31, false);
  auto source = StorageServer::start(tmp.path() / "source", kKey);
  fs::path set = tmp.path() / "set-attachments";
  auto backup = engine::backup_attachments(config_for(*source), set, quiet());
  ASSERT_TRUE(backup.ok());

  // The target has no bucket at all; then an extra object appears that must go away.
  auto target = StorageServer::start(tmp.path() / "target", kKey);
  engine::RestoreAttachmentsOptions ro;
  ro.show_progress = false;
  ro.verify_download = true;
  target->put_raw("attachments", "stale/not-in-backup.txt", "old");
  auto r = engine::restore_attachments(config_for(*target), set, backup.objects, ro);
  ASSERT_TRUE(r.ok()) << (r.failures.empty() ? "listing differs" : r.failures[0].path + ": " + r.failures[0].reason);
  EXPECT_EQ(r.uploaded, backup.objects.size());
  EXPECT_EQ(r.deleted, 1u);
  EXPECT_TRUE(r.hashes_verified);

  auto src = crm::testing::read_server_bucket(tmp.path() / "source", "attachments");
  auto dst = crm::testing::read_server_bucket(tmp.path() / "target", "attachments");
  ASSERT_EQ(src.size(), dst.size());
  for (const auto& [name, o] : src) {
    auto it = dst.find(name);
    ASSERT_NE(it, dst.end()) << name;
    EXPECT_EQ(engine::xxh3_128_file(o.data), engine::xxh3_128_file(it->second.data)) << name;
    EXPECT_EQ(o.content_type, it->second.content_type) << name;  // recorded, not guessed
    EXPECT_EQ(o.cache_control, it->second.cache_control) << name;
  }

  // With upload faults on, the restore still converges.
  target->admin_post("faults", R"({"fail_every":4,"fail_status":500,"throttle_every":9,"retry_after":0,"scope":"all"})");
  fs::remove_all(tmp.path() / "target" / "attachments" / "deals");
  auto again = engine::restore_attachments(config_for(*target), set, backup.objects, ro);
  EXPECT_TRUE(again.ok()) << (again.failures.empty() ? "" : again.failures[0].reason);
}

TEST(Attachments, ListV1FallbackWalksFoldersAndDropsCaseInsensitiveGhosts) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 250, 3, 41, false);
  auto server = StorageServer::start(tmp.path() / "server", kKey, {"--no-list-v2", "--v1-case-insensitive"});
  server->put_raw("attachments", "Case/upper.txt", "U");
  server->put_raw("attachments", "case/lower.txt", "l");
  auto objects = crm::testing::read_server_bucket(tmp.path() / "server", "attachments");
  fs::path dest = tmp.path() / "out";
  auto r = engine::backup_attachments(config_for(*server), dest, quiet());
  EXPECT_EQ(r.listing, storage::ListingMethod::kV1);
  expect_backup_equals_server(r, dest, objects);
}

TEST(Attachments, RestoreAcceptsTheOldScriptsLayout) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "source", "attachments", 30, 2, 51, false);
  // The old backup: cp -r of the file backend's bucket folder into <prefix>-attachments/attachments.
  fs::path set = tmp.path() / "backup-2024-01-15-143022-attachments";
  fs::create_directories(set);
  fs::copy(tmp.path() / "source" / "attachments", set / "attachments", fs::copy_options::recursive);
  auto target = StorageServer::start(tmp.path() / "target", kKey);
  engine::RestoreAttachmentsOptions ro;
  ro.show_progress = false;
  ro.verify_download = true;
  auto r = engine::restore_attachments(config_for(*target), set, {}, ro);
  ASSERT_TRUE(r.ok()) << (r.failures.empty() ? "listing differs" : r.failures[0].path + ": " + r.failures[0].reason);
  auto src = crm::testing::read_server_bucket(tmp.path() / "source", "attachments");
  auto dst = crm::testing::read_server_bucket(tmp.path() / "target", "attachments");
  ASSERT_EQ(src.size(), dst.size());
  for (const auto& [name, o] : src) {
    ASSERT_TRUE(dst.count(name)) << name;
    EXPECT_EQ(engine::xxh3_128_file(o.data), engine::xxh3_128_file(dst[name].data)) << name;
  }
}

TEST(Attachments, GatewayPrefixAndSupabaseUrlFallback) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 15, 1, 61, false);
  auto server = StorageServer::start(tmp.path() / "server", kKey, {"--prefix", "/storage/v1"});
  sandbox::ProcessOptions po;
  // No SUPABASE_STORAGE_URL: the engine must use $SUPABASE_URL/storage/v1.
  po.unset_env = {"SUPABASE_STORAGE_URL"};
  po.env = {{"SUPABASE_URL", server->url() + "/"}, {"SUPABASE_SERVICE_ROLE_KEY", kKey}};
  auto r = sandbox::run_process({crm::testing::cli_binary(), "dump", "attachments", "--output",
                                 (tmp.path() / "out").string(), "--json"},
                                po);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 15);
  auto objects = crm::testing::read_server_bucket(tmp.path() / "server", "attachments");
  for (const auto& [name, o] : objects)
    EXPECT_EQ(engine::xxh3_128_file(tmp.path() / "out" / name), engine::xxh3_128_file(o.data)) << name;
}

TEST(Attachments, RestoreNamesEveryObjectTheServerRefusesAsANewKey) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "source", "attachments", 20, 1, 71, true);
  auto source = StorageServer::start(tmp.path() / "source", kKey);
  fs::path set = tmp.path() / "set-attachments";
  auto backup = engine::backup_attachments(config_for(*source), set, quiet());
  ASSERT_TRUE(backup.ok());
  auto target = StorageServer::start(tmp.path() / "target", kKey);
  engine::RestoreAttachmentsOptions ro;
  ro.show_progress = false;
  auto r = engine::restore_attachments(config_for(*target), set, backup.objects, ro);
  EXPECT_FALSE(r.ok());
  // Unicode, '#', '%', '~' and brackets are refused by the real server for new keys: each such
  // object is named with the server's reason, every other object is restored.
  std::set<std::string> refused;
  for (const auto& f : r.failures) {
    refused.insert(f.path);
    EXPECT_NE(f.reason.find("InvalidKey"), std::string::npos) << f.path << ": " << f.reason;
  }
  std::size_t awkward = 0;
  for (const auto& o : backup.objects) {
    bool plain = o.path.find_first_not_of(
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/!.*'() &$=@;:+,?-") ==
                 std::string::npos;
    EXPECT_EQ(refused.count(o.path), plain ? 0u : 1u) << o.path;
    awkward += plain ? 0 : 1;
  }
  EXPECT_GE(awkward, 5u);
  EXPECT_EQ(r.uploaded, backup.objects.size() - awkward);
}

TEST(Attachments, ReuseHookSkipsTheDownloadOfUnchangedObjects) {
  TempDir tmp;
  crm::testing::generate_bucket(tmp.path() / "server", "attachments", 40, 6, 81, false);
  auto server = StorageServer::start(tmp.path() / "server", kKey);
  auto objects = crm::testing::read_server_bucket(tmp.path() / "server", "attachments");
  fs::path first = tmp.path() / "first";
  auto r1 = engine::backup_attachments(config_for(*server), first, quiet());
  ASSERT_TRUE(r1.ok());
  std::map<std::string, engine::ObjectRecord> previous;
  for (const auto& o : r1.objects) previous[o.path] = o;
  server->put_raw("attachments", "deals/changed-or-new.txt", "new bytes");
  server->admin_post("reset", "{}");

  // The incremental rule in miniature: same name, size and eTag -> hard-link the old file.
  auto opts = quiet();
  opts.reuse = [&](const storage::ObjectEntry& listed, const fs::path& dest) -> std::optional<engine::ObjectRecord> {
    auto it = previous.find(listed.name);
    if (it == previous.end() || it->second.size != listed.size || it->second.etag != listed.etag) return std::nullopt;
    fs::create_hard_link(first / listed.name, dest);
    return it->second;
  };
  fs::path second = tmp.path() / "second";
  auto r2 = engine::backup_attachments(config_for(*server), second, opts);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.objects.size(), r1.objects.size() + 1);
  std::size_t downloaded = 0;
  for (const auto& o : r2.objects) {
    downloaded += o.downloaded ? 1 : 0;
    EXPECT_EQ(o.downloaded, o.path == "deals/changed-or-new.txt") << o.path;
  }
  EXPECT_EQ(downloaded, 1u);
  std::string stats = server->admin_get("stats");
  auto at = stats.find("\"object_get\":");
  ASSERT_NE(at, std::string::npos) << stats;
  EXPECT_EQ(std::stoi(stats.substr(at + 13)), 1) << stats;  // only the new object was fetched
  EXPECT_EQ(engine::xxh3_128_file(second / "deals/changed-or-new.txt"), engine::xxh3_128_hex("new bytes"));
}
