// Storage outages and a full disk against the fixture server: every kind of Storage request
// waits out an outage of up to --retries failures with the same backoff (and says when it gave
// up), a full disk stops every transfer at once with one message and leaves no partial folder,
// and retried transfers are counted once in the progress.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>
#include <sstream>
#include <system_error>
#include <thread>

#include "engine/attachments/attachments.hpp"
#include "fixtures/sandbox/process.hpp"
#include "storage-api/client.hpp"
#include "storage-api/errors.hpp"
#include "storage-api/transfer_engine.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/fault_helpers.hpp"
#include "tests/support/storage_server.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
using namespace crm;
using crm::testing::StorageServer;

namespace {

const std::string kKey = "attachments-faults-service-key";

storage::StorageConfig config_for(const StorageServer& s, int retries) {
  storage::StorageConfig cfg;
  cfg.base_url = s.url();
  cfg.service_key = kKey;
  cfg.transfers = 8;
  cfg.retry_base_ms = 10;
  cfg.retry_max_ms = 100;
  cfg.max_retries = retries;
  cfg.timeouts.low_speed_seconds = 5;
  cfg.warn = [](const std::string&) {};
  return cfg;
}

// A counter of the server's /__admin/stats ("object_get", "fail", ...); 0 when absent.
std::uint64_t stat(const StorageServer& s, const std::string& key) {
  std::string json = s.admin_get("stats");
  auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return 0;
  return std::stoull(json.substr(at + key.size() + 3));
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Every file below dir, relative.
std::vector<std::string> files_below(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    out.push_back(fs::relative(it->path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

sandbox::ProcessResult run_cli(const StorageServer& s, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {crm::testing::cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  sandbox::ProcessOptions po;
  po.unset_env = {"SUPABASE_STORAGE_URL", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY"};
  po.env = {{"SUPABASE_STORAGE_URL", s.url()}, {"SUPABASE_SERVICE_ROLE_KEY", kKey}};
  return sandbox::run_process(argv, po);
}

// The bytes part of the last progress line of `label`: {"done", "total"}.
std::pair<std::string, std::string> last_progress_bytes(const std::string& err, const std::string& label) {
  std::regex line("(^|\n)" + label + ": [0-9,]+/[0-9,]+ files, ([^/,]+)/([^,]+),");
  std::pair<std::string, std::string> out;
  for (auto it = std::sregex_iterator(err.begin(), err.end(), line); it != std::sregex_iterator(); ++it)
    out = {(*it)[2].str(), (*it)[3].str()};
  return out;
}

class AttachmentsFaults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new ts::TempFolder();
    crm::testing::generate_bucket(root_->path, "attachments", 40, 3, 5, false);
    server_ = StorageServer::start(root_->path, kKey).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete root_;
  }
  void SetUp() override { server_->admin_post("reset", "{}"); }
  void TearDown() override { server_->admin_post("reset", "{}"); }

  // The outage: `failures` requests in a row fail (503 answers, then dropped connections).
  static void outage(int failures) {
    server_->admin_post("reset", "{}");
    server_->admin_post("faults", "{\"fail_first\":" + std::to_string(failures - failures / 2) +
                                      ",\"drop_first\":" + std::to_string(failures / 2) +
                                      ",\"fail_status\":503,\"scope\":\"all\"}");
  }

  static ts::TempFolder* root_;
  static StorageServer* server_;
};
ts::TempFolder* AttachmentsFaults::root_ = nullptr;
StorageServer* AttachmentsFaults::server_ = nullptr;

}  // namespace

TEST_F(AttachmentsFaults, EveryKindOfRequestWaitsOutAnOutageOfRetriesFailuresAndNoLonger) {
  const int kFailures = 4;
  auto objects = crm::testing::read_server_bucket(root_->path, "attachments");
  const std::string some = objects.rbegin()->first;
  ts::TempFolder tmp;
  fs::path upload_src = fs::path(tmp.path) / "upload.bin";
  ts::spit(upload_src, std::string(100000, 'u'));
  const std::string uploaded = "uploaded/by-the-test.bin";
  // Each kind of request; "" when it succeeded, else why it failed.
  using Request = std::function<std::string(const storage::StorageConfig&)>;
  auto thrown = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const storage::StorageError& e) {
      return e.what();
    }
    return "";
  };
  std::vector<std::pair<std::string, Request>> kinds = {
      {"bucket check", [&](const auto& cfg) { return thrown([&] { storage::StorageClient(cfg).bucket_exists(); }); }},
      {"listing",
       [&](const auto& cfg) {
         return thrown([&] { EXPECT_EQ(storage::StorageClient(cfg).list_all().size(), objects.size()); });
       }},
      {"object info",
       [&](const auto& cfg) { return thrown([&] { EXPECT_TRUE(storage::StorageClient(cfg).object_info(some)); }); }},
      {"download", [&](const auto& cfg) { return storage::download_objects(cfg, {{some, {}, std::nullopt}}).at(0).error; }},
      {"upload",
       [&](const auto& cfg) { return storage::upload_objects(cfg, {{uploaded, upload_src, "", ""}}).at(0).error; }},
      {"delete",
       [&](const auto& cfg) {
         return thrown([&] { EXPECT_EQ(storage::StorageClient(cfg).delete_objects({uploaded}).size(), 1u); });
       }},
  };
  for (const auto& [name, request] : kinds) {
    SCOPED_TRACE(name);
    // One retry short: the request fails and says how long it tried and which setting to raise.
    outage(kFailures);
    std::string why = request(config_for(*server_, kFailures - 1));
    EXPECT_NE(why.find("gave up after 4 attempts"), std::string::npos) << why;
    EXPECT_NE(why.find("--retries 3"), std::string::npos) << why;
    EXPECT_EQ(why.find(kKey), std::string::npos);
    // Enough retries: the same outage (503 answers, then dropped connections) is waited out.
    outage(kFailures);
    EXPECT_EQ(request(config_for(*server_, kFailures)), "");
    EXPECT_EQ(stat(*server_, "fail"), static_cast<std::uint64_t>(kFailures - kFailures / 2));
    EXPECT_EQ(stat(*server_, "drop"), static_cast<std::uint64_t>(kFailures / 2));
  }
}

TEST_F(AttachmentsFaults, RetriedDownloadsAreCountedOnceInTheProgress) {
  // Every second body is cut in half: the halves already counted must not count twice.
  server_->admin_post("faults", R"({"truncate_every":2,"scope":"objects"})");
  ts::TempFolder tmp;
  auto r = run_cli(*server_, {"dump", "attachments", "-o", tmp.path + "/out", "--retries", "8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GT(stat(*server_, "truncate"), 0u);
  auto [done, total] = last_progress_bytes(r.err, "attachments");
  ASSERT_FALSE(total.empty()) << r.err;
  EXPECT_EQ(done, total) << r.err;
}

TEST_F(AttachmentsFaults, FullDiskStopsEveryTransferAtOnceWithOneMessageAndLeavesNothing) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  ts::TempFolder big;
  // 400 objects of about 40 KB: a 1 MiB disk holds a few dozen of them.
  crm::testing::generate_bucket(big.path + "/server", "attachments", 400, 16, 12, false);
  auto server = StorageServer::start(big.path + "/server", kKey);
  ts::TempFolder mnt;
  if (::mount("tmpfs", mnt.path.c_str(), "tmpfs", 0, "size=1m,mode=0700") != 0)
    GTEST_SKIP() << "mount -t tmpfs refused here: " << std::strerror(errno);
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt.path};

  // The engine: one std::system_error carrying ENOSPC, naming the file and what to do.
  auto cfg = config_for(*server, 2);
  cfg.transfers = 16;
  engine::BackupAttachmentsOptions quiet;
  quiet.show_progress = false;
  try {
    engine::backup_attachments(cfg, fs::path(mnt.path) / "set", quiet);
    ADD_FAILURE() << "a backup onto a full disk succeeded";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOSPC) << e.what();
    std::string what = e.what();
    EXPECT_NE(what.find(mnt.path), std::string::npos) << what;
    EXPECT_NE(what.find("No space left on device"), std::string::npos) << what;
    EXPECT_NE(what.find("the disk is full: free space or choose another BACKUP_DIR"), std::string::npos) << what;
  }
  // Stopped at the first full-disk error: most objects were never asked for.
  EXPECT_LT(stat(*server, "object_get"), 200u) << server->admin_get("stats");
  for (const auto& f : files_below(fs::path(mnt.path) / "set"))
    EXPECT_EQ(f.find(".partial"), std::string::npos) << "partial download left behind: " << f;
  fs::remove_all(fs::path(mnt.path) / "set");

  // The CLI: one line about the full disk, and no folder (not even a hidden one) left behind.
  server->admin_post("reset", "{}");
  auto r = run_cli(*server, {"dump", "attachments", "-o", mnt.path + "/out", "--transfers", "16"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(count_of(r.out + r.err, "No space left on device"), 1u) << r.err;
  EXPECT_NE(r.err.find("the disk is full: free space or choose another output folder"), std::string::npos) << r.err;
  EXPECT_LT(stat(*server, "object_get"), 200u);
  EXPECT_EQ(files_below(mnt.path), std::vector<std::string>{});
}

TEST_F(AttachmentsFaults, DumpFolderAppearsOnlyWhenEveryFileIsThere) {
  ts::TempFolder tmp;
  // Every download of one object fails for good: nothing of the dump may be left.
  server_->admin_post("faults", R"({"fail_every":1,"fail_status":503,"scope":"objects"})");
  auto r = run_cli(*server_, {"dump", "attachments", "-o", tmp.path + "/out", "--retries", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(files_below(tmp.path), std::vector<std::string>{});

  // Without faults the folder appears, whole, private.
  server_->admin_post("reset", "{}");
  r = run_cli(*server_, {"dump", "attachments", "-o", tmp.path + "/out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto objects = crm::testing::read_server_bucket(root_->path, "attachments");
  for (const auto& [name, o] : objects) EXPECT_EQ(ts::slurp(fs::path(tmp.path) / "out" / name), ts::slurp(o.data)) << name;
  EXPECT_EQ((fs::status(fs::path(tmp.path) / "out").permissions() & fs::perms::all), fs::perms::owner_all);
  EXPECT_EQ(ts::dir_entries(tmp.path), std::vector<std::string>{"out"});

  // A folder that already holds files is refused before anything is downloaded.
  server_->admin_post("reset", "{}");
  r = run_cli(*server_, {"dump", "attachments", "-o", tmp.path + "/out"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("already exists and is not an empty folder"), std::string::npos) << r.err;
  EXPECT_EQ(stat(*server_, "object_get"), 0u);
}

// A signal while every download is stalled mid-body stops the transfers at once: the partial
// folder is removed as the command unwinds (no last-resort exit) and --json answers.
TEST_F(AttachmentsFaults, SignalDuringTheDownloadsStopsThemAndLeavesNothing) {
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    SCOPED_TRACE(strsignal(sig));
    server_->admin_post("reset", "{}");
    server_->admin_post("faults", R"({"stall_every":1,"stall_ms":20000,"scope":"objects"})");
    ts::TempFolder tmp;
    ts::CliEnv env{"", "", server_->url(), kKey, {}};
    ts::BackgroundCli cli(env, {"dump", "attachments", "-o", tmp.path + "/out", "--json", "--transfers", "4"});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (cli.running() && std::chrono::steady_clock::now() < deadline && stat(*server_, "object_get") < 2)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(cli.running()) << cli.output();
    cli.kill_with(sig);
    auto exit_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (cli.running() && std::chrono::steady_clock::now() < exit_deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_FALSE(cli.running()) << cli.output();
    EXPECT_EQ(cli.wait(), 128 + sig) << cli.output();
    std::string out = cli.output();
    EXPECT_NE(out.find("\"code\": \"interrupted\""), std::string::npos) << out;
    EXPECT_EQ(out.find("Stopped without waiting"), std::string::npos) << "the guard had to force the exit: " << out;
    EXPECT_EQ(files_below(tmp.path), std::vector<std::string>{}) << out;
  }
}

// StorageConfig::cancelled stops every kind of request: transfers stalled mid-body are aborted
// with their partial files removed, and a request waiting out an outage stops in its backoff.
TEST_F(AttachmentsFaults, CancelStopsTransfersInFlightAndRequestsInTheirBackoff) {
  auto objects = crm::testing::read_server_bucket(root_->path, "attachments");
  ts::TempFolder tmp;
  std::vector<storage::DownloadJob> jobs;
  for (const auto& [name, o] : objects) jobs.push_back({name, fs::path(tmp.path) / std::to_string(jobs.size()), std::nullopt});
  std::atomic<bool> stop{false};
  auto cfg = config_for(*server_, 50);
  cfg.transfers = 4;
  cfg.cancelled = [&stop] { return stop.load(); };
  auto cancel_soon = [&stop] {
    return std::jthread([&stop] {
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
      stop = true;
    });
  };
  auto kind_of = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const storage::StorageError& e) {
      return e.kind() == storage::ErrorKind::kCancelled ? std::string("cancelled") : std::string(e.what());
    }
    return std::string("not stopped");
  };

  server_->admin_post("faults", R"({"stall_every":1,"stall_ms":20000,"scope":"objects"})");
  {
    auto t = cancel_soon();
    EXPECT_EQ(kind_of([&] { storage::download_objects(cfg, jobs, {}, {.durable = true}); }), "cancelled");
  }
  EXPECT_GE(stat(*server_, "object_get"), 4u);
  EXPECT_EQ(files_below(tmp.path), std::vector<std::string>{});  // no partial file stays

  // Every request fails for longer than the test: the listing is stopped between its retries.
  stop = false;
  server_->admin_post("reset", "{}");
  server_->admin_post("faults", R"({"fail_every":1,"fail_status":503,"scope":"all"})");
  cfg.retry_base_ms = 300;
  cfg.retry_max_ms = 300;
  {
    auto t = cancel_soon();
    EXPECT_EQ(kind_of([&] { storage::StorageClient(cfg).list_all(); }), "cancelled");
  }
}
