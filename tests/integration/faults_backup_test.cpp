// Faults during a backup: the database backend killed mid-COPY, the storage server failing,
// throttling, resetting, truncating or stalling, the disk filling up, SIGKILL at twenty-odd
// points across the run, and the server stopped mid-dump (then started again, so the order
// of the tests does not matter).
// Each ends in a complete set that verifies or in no set, a message that names what failed,
// a non-zero exit, and the older set intact and still verifying.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/staging.hpp"
#include "engine/backupset/verify_files.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "pgwire/connection.hpp"
#include "pgwire/conninfo.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/fault_helpers.hpp"
#include "tests/support/storage_server.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
using crm::sandbox::PgCluster;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kKey = "faults-backup-service-key";

class FaultsBackup : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = crm::sandbox::start_crm_cluster(10, 21).release();
    storage_root_ = new ts::TempFolder();
    crm::testing::generate_bucket(fs::path(storage_root_->path), "attachments", 40, 4, 21, false);
    storage_ = crm::testing::StorageServer::start(fs::path(storage_root_->path), kKey).release();
    dir_ = new ts::TempFolder();
    // The older set every fault must leave intact.
    auto t0 = Clock::now();
    auto r = env().run({"backup", "--no-retention"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    full_run_ = Clock::now() - t0;
    auto sets = crm::engine::scan_backup_dir(dir_->path);
    ASSERT_EQ(sets.size(), 1u);
    good_ = sets.front().name.prefix;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }
  void TearDown() override {
    if (storage_) storage_->admin_post("reset", "{}");
  }

  static ts::CliEnv env(const std::string& dir = "") {
    return {dir.empty() ? dir_->path : dir, cluster_->url(), storage_->url(), kKey, {}};
  }

  // What every failed backup must leave: the good set complete and verifying, no other set,
  // nothing else in the folder (checked after the next run's cleanup when allow_crash_leftovers).
  static void expect_only_good_set(const std::string& dir, const std::string& context) {
    EXPECT_EQ(ts::complete_sets_that_do_not_verify(dir), "") << context;
    auto sets = crm::engine::scan_backup_dir(dir);
    ASSERT_EQ(sets.size(), 1u) << context << ": " << ::testing::PrintToString(ts::dir_entries(dir));
    EXPECT_EQ(sets.front().name.prefix, good_) << context;
    EXPECT_EQ(sets.front().state, crm::engine::SetState::Complete) << context;
    EXPECT_EQ(ts::leftovers(dir, {good_}), std::vector<std::string>{}) << context;
  }

  static PgCluster* cluster_;
  static crm::testing::StorageServer* storage_;
  static ts::TempFolder* storage_root_;
  static ts::TempFolder* dir_;
  static std::string good_;
  static Clock::duration full_run_;
};
PgCluster* FaultsBackup::cluster_ = nullptr;
crm::testing::StorageServer* FaultsBackup::storage_ = nullptr;
ts::TempFolder* FaultsBackup::storage_root_ = nullptr;
ts::TempFolder* FaultsBackup::dir_ = nullptr;
std::string FaultsBackup::good_;
Clock::duration FaultsBackup::full_run_{};

crm::pg::Connection connect(const PgCluster& c) {
  crm::pg::ConnectOptions o;
  o.target = c.url();
  return crm::pg::Connection::open(o);
}

}  // namespace

TEST_F(FaultsBackup, BackendTerminatedMidCopyFailsNamingTheTableAndLeavesNoSet) {
  auto watcher = connect(*cluster_);
  std::string victim_query;
  int attempts = 0;
  int code = 0;
  std::string out;
  // The COPY of one table lasts a few milliseconds: poll pg_stat_activity until one is
  // caught (a run that finishes first is a complete, verifying set: removed, tried again).
  while (victim_query.empty() && attempts++ < 8) {
    ts::BackgroundCli cli(env(), {"backup", "--no-retention", "--no-attachments", "--jobs", "2"});
    while (cli.running()) {
      auto r = watcher.exec(
          "SELECT pid, query FROM pg_stat_activity WHERE query LIKE 'COPY %TO STDOUT%' "
          "AND pid <> pg_backend_pid() LIMIT 1");
      if (r.rows() > 0) {
        victim_query = std::string(r.get(0, 1));
        watcher.exec("SELECT pg_terminate_backend(" + std::string(r.get(0, 0)) + ")");
        break;
      }
    }
    code = cli.wait();
    out = cli.output();
    if (victim_query.empty()) {
      ASSERT_EQ(code, 0) << out;
      EXPECT_EQ(ts::complete_sets_that_do_not_verify(dir_->path), "");
      for (const auto& s : crm::engine::scan_backup_dir(dir_->path))
        if (s.name.prefix != good_) crm::engine::remove_set(dir_->path, s.name.prefix);
    }
  }
  ASSERT_FALSE(victim_query.empty()) << "never caught a COPY in pg_stat_activity";
  EXPECT_EQ(code, 1) << out;
  // The message names the table whose COPY was cut (the query holds it quoted).
  size_t from = victim_query.find("FROM ");
  std::string quoted = victim_query.substr(0, victim_query.find(" TO STDOUT"));
  bool named = false;
  for (size_t q = quoted.find('"'); q != std::string::npos; q = quoted.find('"', q + 1)) {
    size_t e = quoted.find('"', q + 1);
    if (e == std::string::npos) break;
    std::string ident = quoted.substr(q + 1, e - q - 1);
    if (!ident.empty() && out.find(ident) != std::string::npos) named = true;
    q = e;
  }
  (void)from;
  EXPECT_TRUE(named) << "message does not name the table of `" << victim_query << "`:\n" << out;
  EXPECT_NE(out.find("terminat"), std::string::npos) << out;
  expect_only_good_set(dir_->path, "after pg_terminate_backend");
}

TEST_F(FaultsBackup, TransientStorageErrorsAreRetriedAndTheSetMatchesTheServer) {
  struct Knobs {
    const char* name;
    const char* json;
  } knobs[] = {
      {"500 on every 3rd request", R"({"fail_every":3,"fail_status":500,"scope":"all"})"},
      {"503 on every 2nd object request", R"({"fail_every":2,"fail_status":503,"scope":"objects"})"},
      {"429 with Retry-After", R"({"throttle_every":2,"retry_after":0,"scope":"all"})"},
      {"connection reset mid-body", R"({"reset_every":3,"scope":"objects"})"},
      {"body truncated", R"({"truncate_every":2,"scope":"objects"})"},
      {"server stalls mid-body", R"({"stall_every":7,"stall_ms":1500,"scope":"objects"})"},
  };
  auto server = crm::testing::read_server_bucket(fs::path(storage_root_->path), "attachments");
  for (const auto& k : knobs) {
    SCOPED_TRACE(k.name);
    storage_->admin_post("reset", "{}");
    storage_->admin_post("faults", k.json);
    ts::TempFolder dir;
    auto r = env(dir.path).run({"backup", "--no-retention", "--full"});
    std::string stats = storage_->admin_get("stats");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(stats.find("\"faults\":{\""), std::string::npos) << "no fault was injected: " << stats;
    EXPECT_EQ(ts::complete_sets_that_do_not_verify(dir.path), "");
    auto sets = crm::engine::scan_backup_dir(dir.path);
    ASSERT_EQ(sets.size(), 1u);
    ASSERT_TRUE(sets[0].manifest);
    // Oracle: every object's bytes equal the server's version file.
    fs::path att = sets[0].part("attachments");
    EXPECT_EQ(sets[0].manifest->objects.size(), server.size());
    for (const auto& [name, obj] : server)
      EXPECT_EQ(ts::slurp(att / name), ts::slurp(obj.data)) << name;
  }
}

TEST_F(FaultsBackup, PersistentStorageFailuresNameTheObjectsAndLeaveNoSet) {
  struct Knobs {
    const char* name;
    const char* json;
  } knobs[] = {
      {"503 on every object request", R"({"fail_every":1,"fail_status":503,"scope":"objects"})"},
      {"every body reset", R"({"reset_every":1,"scope":"objects"})"},
      {"every body truncated", R"({"truncate_every":1,"scope":"objects"})"},
  };
  for (const auto& k : knobs) {
    SCOPED_TRACE(k.name);
    storage_->admin_post("reset", "{}");
    storage_->admin_post("faults", k.json);
    auto r = env().run({"backup", "--no-retention", "--full", "--retries", "1"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    std::string msg = r.out + r.err;
    EXPECT_NE(msg.find("attachment(s) could not be backed up"), std::string::npos) << msg;
    // One of the bucket's objects is named in the failure list.
    bool named = false;
    for (const auto& [name, obj] : crm::testing::read_server_bucket(fs::path(storage_root_->path), "attachments"))
      if (msg.find("    " + name + ": ") != std::string::npos) named = true;
    EXPECT_TRUE(named) << msg;
    expect_only_good_set(dir_->path, k.name);
  }
  // The storage server going away entirely in the middle of the run.
  storage_->admin_post("reset", "{}");
}

TEST_F(FaultsBackup, StorageOutageAtTheStartIsWaitedOutUpToRetries) {
  // The bucket check meets three 503 answers, then two dropped connections: with the backoff
  // that is more than a second of outage, which --retries 6 waits out.
  const char* outage = R"({"fail_first":3,"drop_first":2,"fail_status":503,"scope":"all"})";
  storage_->admin_post("faults", outage);
  ts::TempFolder dir;
  auto r = env(dir.path).run({"backup", "--no-retention", "--full", "--retries", "6"});
  std::string stats = storage_->admin_get("stats");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(stats.find("\"drop\":2,\"fail\":3"), std::string::npos) << stats;
  EXPECT_NE((r.out + r.err).find("retry 5 of 6"), std::string::npos) << "each wait is announced: " << r.out << r.err;
  EXPECT_EQ(ts::complete_sets_that_do_not_verify(dir.path), "");
  ASSERT_EQ(crm::engine::scan_backup_dir(dir.path).size(), 1u);

  // --retries 0: the first failure ends the run at once, saying what failed and which setting.
  storage_->admin_post("reset", "{}");
  storage_->admin_post("faults", outage);
  r = env().run({"backup", "--no-retention", "--retries", "0"});
  stats = storage_->admin_get("stats");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string msg = r.out + r.err;
  EXPECT_NE(msg.find("checking bucket 'attachments'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("503"), std::string::npos) << msg;
  EXPECT_NE(msg.find("gave up after 1 attempt in"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--retries 0"), std::string::npos) << msg;
  EXPECT_NE(stats.find("\"bucket_get\":1}"), std::string::npos) << "retried although --retries 0: " << stats;
  EXPECT_EQ(msg.find(kKey), std::string::npos);
  expect_only_good_set(dir_->path, "--retries 0 during an outage");
}

TEST_F(FaultsBackup, FullDiskFailsNamingTheDiskAndFreesTheSpace) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  ts::TempFolder mnt;
  auto good = crm::engine::find_set(dir_->path, good_);
  std::uint64_t size = good.total_bytes();
  // Room for the old set and half of a new one.
  std::string opts = "size=" + std::to_string(size + size / 2 + 256 * 1024) + ",mode=0700";
  if (mount("tmpfs", mnt.path.c_str(), "tmpfs", 0, opts.c_str()) != 0)
    GTEST_SKIP() << "mount -t tmpfs refused here: " << strerror(errno);
  struct Unmount {
    std::string p;
    ~Unmount() { umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt.path};
  for (const auto& e : fs::directory_iterator(dir_->path))
    fs::copy(e.path(), fs::path(mnt.path) / e.path().filename(), fs::copy_options::recursive);
  auto r = env(mnt.path).run({"backup", "--no-retention", "--full"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string msg = r.out + r.err;
  EXPECT_NE(msg.find("No space left on device"), std::string::npos) << msg;
  EXPECT_NE(msg.find(mnt.path), std::string::npos) << "the message should name the file on the full disk: " << msg;
  // One message with what to do, not one per object still in flight or waiting.
  std::size_t lines = 0;
  for (auto at = msg.find("No space left on device"); at != std::string::npos;
       at = msg.find("No space left on device", at + 1))
    ++lines;
  EXPECT_EQ(lines, 1u) << msg;
  EXPECT_NE(msg.find("the disk is full: free space or choose another BACKUP_DIR"), std::string::npos) << msg;
  expect_only_good_set(mnt.path, "full disk");
  // The space was given back: a file the size of a quarter of the set fits again.
  std::string filler(size / 4, 'x');
  ts::spit(fs::path(mnt.path) / "filler", filler);
  EXPECT_EQ(fs::file_size(fs::path(mnt.path) / "filler"), filler.size());
}

TEST_F(FaultsBackup, FullDiskDuringTheAttachmentsStopsEveryTransferWithOneLine) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  ts::TempFolder mnt;
  if (mount("tmpfs", mnt.path.c_str(), "tmpfs", 0, "size=256m,mode=0700") != 0)
    GTEST_SKIP() << "mount -t tmpfs refused here: " << strerror(errno);
  struct Unmount {
    std::string p;
    ~Unmount() { umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt.path};
  for (const auto& e : fs::directory_iterator(dir_->path))
    fs::copy(e.path(), fs::path(mnt.path) / e.path().filename(), fs::copy_options::recursive);
  auto good = crm::engine::find_set(mnt.path, good_);
  struct statvfs st {};
  ASSERT_EQ(statvfs(mnt.path.c_str(), &st), 0);
  std::uint64_t used = static_cast<std::uint64_t>(st.f_blocks - st.f_bfree) * st.f_frsize;
  // Room for the old set, the new set's database part (with slack for page rounding) and an
  // eighth of its attachments: the disk fills while they download.
  std::uint64_t size = used + good.sql_bytes + 512 * 1024 + good.attachments_bytes / 8;
  std::string opts = "size=" + std::to_string(size) + ",mode=0700";
  ASSERT_EQ(mount("tmpfs", mnt.path.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()), 0) << strerror(errno);
  auto r = env(mnt.path).run({"backup", "--no-retention", "--full"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string msg = r.out + r.err;
  EXPECT_NE(msg.find("/attachments/"), std::string::npos) << "the disk did not fill during the attachments: " << msg;
  std::size_t lines = 0;
  for (auto at = msg.find("No space left on device"); at != std::string::npos;
       at = msg.find("No space left on device", at + 1))
    ++lines;
  EXPECT_EQ(lines, 1u) << msg;
  EXPECT_NE(msg.find("the disk is full: free space or choose another BACKUP_DIR"), std::string::npos) << msg;
  expect_only_good_set(mnt.path, "full disk during the attachments");
}

TEST_F(FaultsBackup, SigkillAtTwentyTwoTimesAndFourStagesNeverLeavesAHalfSet) {
  ts::TempFolder dir;
  for (const auto& e : fs::directory_iterator(dir_->path))
    fs::copy(e.path(), fs::path(dir.path) / e.path().filename(), fs::copy_options::recursive);
  // Spread over the measured length of a full run (with attachments), plus a few points
  // chosen by what the staging folder holds (a part written, the manifest being written).
  auto span = std::chrono::duration_cast<std::chrono::milliseconds>(full_run_).count();
  ASSERT_GT(span, 0);
  // 22 points spread over a run (span adapts when a run finishes before its kill: the
  // machine's speed varies), then 4 points chosen by what the folder holds.
  const int kTimed = 22, kPolled = 4;
  int killed = 0, finished = 0, point = 0;
  for (int attempt = 0; point < kTimed + kPolled && attempt < 60; ++attempt) {
    SCOPED_TRACE("kill point " + std::to_string(point));
    ts::BackgroundCli cli(env(dir.path), {"backup", "--no-retention", "--full"});
    auto started = Clock::now();
    if (point < kTimed) {
      std::this_thread::sleep_for(std::chrono::milliseconds(span * (point + 1) / (kTimed + 1)));
    } else {
      // Kill as soon as the staging folder holds roles.sql, the data file, attachments, or
      // the first part has been renamed into BACKUP_DIR.
      const char* want[] = {"roles.sql", "data.sql", "attachments", ""};
      auto deadline = Clock::now() + std::chrono::seconds(30);
      bool seen = false;
      while (!seen && cli.running() && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        for (const auto& name : ts::dir_entries(dir.path)) {
          if (point == kTimed + 3) {
            if (name.rfind("backup-", 0) == 0 && name.rfind(good_, 0) != 0) seen = true;
          } else if (name.ends_with(".in-progress")) {
            if (fs::exists(fs::path(dir.path) / name / want[point - kTimed])) seen = true;
          }
        }
      }
    }
    bool was_running = cli.running();
    cli.kill_with(SIGKILL);
    int code = cli.wait();
    if (was_running && code == 128 + SIGKILL) {
      ++killed;
      ++point;
    } else {
      ++finished;
      if (point < kTimed)
        span = std::min<long long>(span, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
      else
        ++point;  // a polled point the run went past: counted as tried
    }
    // Whatever the moment: a set either verifies or does not look complete.
    EXPECT_EQ(ts::complete_sets_that_do_not_verify(dir.path), "");
    for (const auto& s : crm::engine::scan_backup_dir(dir.path))
      if (s.name.prefix != good_ && s.state == crm::engine::SetState::Complete) crm::engine::remove_set(dir.path, s.name.prefix);
    EXPECT_EQ(crm::engine::find_set(dir.path, good_).state, crm::engine::SetState::Complete);
  }
  EXPECT_GE(killed, 20) << "finished before the kill: " << finished;
  // The next run recognises every leftover, removes it and makes a good set.
  auto r = env(dir.path).run({"backup", "--no-retention"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ts::complete_sets_that_do_not_verify(dir.path), "");
  auto sets = crm::engine::scan_backup_dir(dir.path);
  std::vector<std::string> prefixes;
  for (const auto& s : sets) {
    EXPECT_EQ(s.state, crm::engine::SetState::Complete) << s.name.prefix << ": " << s.state_reason;
    prefixes.push_back(s.name.prefix);
  }
  EXPECT_EQ(sets.size(), 2u) << r.out << ::testing::PrintToString(ts::dir_entries(dir.path));
  EXPECT_EQ(ts::leftovers(dir.path, prefixes), std::vector<std::string>{});
}

// Last: it stops the cluster for good.
TEST_F(FaultsBackup, ServerStoppedMidDumpFailsAndLeavesNoSet) {
  // Whatever happens below, the next test finds the server up.
  struct Restart {
    ~Restart() { cluster_->restart(); }
  } restart;
  ts::BackgroundCli cli(env(), {"backup", "--no-retention", "--no-attachments", "--jobs", "2"});
  // Stop the server once the dump is under way (the staging folder exists).
  auto deadline = Clock::now() + std::chrono::seconds(30);
  bool staged = false;
  while (!staged && cli.running() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (const auto& name : ts::dir_entries(dir_->path))
      if (name.ends_with(".in-progress")) staged = true;
  }
  ASSERT_TRUE(staged) << cli.output();
  cluster_->crash();
  int code = cli.wait();
  std::string out = cli.output();
  EXPECT_EQ(code, 1) << out;
  EXPECT_TRUE(out.find("terminat") != std::string::npos || out.find("connection") != std::string::npos ||
              out.find("server closed") != std::string::npos)
      << out;
  EXPECT_EQ(out.find("postgres:postgres@"), std::string::npos) << "password in the message: " << out;
  expect_only_good_set(dir_->path, "server crash");
}

// A signal while the attachments download (every object's body stalls for a minute) stops the
// transfers at once: the run unwinds as an interruption (exit 128+signal, one JSON error with
// code "interrupted"), not through the guard's last-resort exit, and leaves only the good set.
TEST_F(FaultsBackup, SignalDuringTheAttachmentsStopsTheTransfersAndAnswersInJson) {
  for (int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(strsignal(sig));
    storage_->admin_post("reset", "{}");
    storage_->admin_post("faults", R"({"stall_every":1,"stall_ms":20000,"scope":"objects"})");
    ts::TempFolder dir;
    ts::BackgroundCli cli(env(dir.path), {"backup", "--no-retention", "--full", "--json", "--transfers", "4"});
    auto deadline = Clock::now() + std::chrono::seconds(120);
    while (cli.running() && Clock::now() < deadline && cli.output().find("Backing up attachments") == std::string::npos)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // The transfers are under way (stalled mid-body) when the signal comes.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ASSERT_TRUE(cli.running()) << cli.output();
    cli.kill_with(sig);
    auto exit_deadline = Clock::now() + std::chrono::seconds(60);
    while (cli.running() && Clock::now() < exit_deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_FALSE(cli.running()) << cli.output();
    EXPECT_EQ(cli.wait(), 128 + sig) << cli.output();
    std::string out = cli.output();
    EXPECT_NE(out.find("\"code\": \"interrupted\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"exit_code\": " + std::to_string(128 + sig)), std::string::npos) << out;
    EXPECT_NE(out.find("older backups are untouched"), std::string::npos) << out;
    EXPECT_EQ(out.find("Stopped without waiting"), std::string::npos) << "the guard had to force the exit: " << out;
    EXPECT_EQ(ts::dir_entries(dir.path), std::vector<std::string>{}) << out;
  }
  storage_->admin_post("reset", "{}");
  expect_only_good_set(dir_->path, "after the interrupted backups");
}
