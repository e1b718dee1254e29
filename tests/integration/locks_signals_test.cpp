// Lock waits and signals against a real server: a session holding a lock the work needs makes
// backup, restore and verify --restore-into give up at --lock-timeout with one error naming the
// table and the blocking session, and SIGTERM/SIGINT sent while they wait cancel the server
// work and close every connection: no crmbackup-native backend remains, the blocked
// application goes on, and the database is as it was (table checksums).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/backupset/backup_dir.hpp"
#include "engine/io/zstd_reader.hpp"
#include "engine/restore/lock_limit.hpp"
#include "pgwire/script/script_executor.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "pgwire/connection.hpp"
#include "pgwire/quote.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"
#include "tests/support/fault_helpers.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
namespace pg = crm::pg;
using Clock = std::chrono::steady_clock;

namespace {

const char* kDataSchemas = "^(public|auth|storage)$";
const char* kHolderApp = "crm-app-holding-a-lock";
const char* kLockedTable = "public.contacts";

class LocksAndSignals : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = crm::sandbox::start_crm_cluster(4, 47).release();
    dir_ = new ts::TempFolder();
    auto r = env().run({"backup", "--no-retention", "--no-attachments"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto sets = crm::engine::scan_backup_dir(dir_->path);
    ASSERT_EQ(sets.size(), 1u);
    prefix_ = sets.front().name.prefix;
    // A scratch database already holding the restored backup: verify --restore-into --yes
    // then has tables to drop, which a lock can block.
    cluster_->create_database("scratch");
    crm::sandbox::load_platform(*cluster_, "scratch");
    auto v = env().run({"verify", prefix_, "--restore-into", cluster_->url("scratch"), "--no-attachments"});
    ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete cluster_;
  }

  static ts::CliEnv env(const std::string& dir = "") {
    return {dir.empty() ? dir_->path : dir, cluster_->url(), "", "", {}};
  }
  static std::map<std::string, std::string> checksums(const std::string& db = "postgres") {
    return ts::table_checksums(*cluster_, db, kDataSchemas);
  }

  // A session of "the application" that holds a lock on kLockedTable until it is destroyed.
  static pg::Connection hold_lock(const std::string& db, const std::string& lock_sql) {
    pg::ConnectOptions o;
    o.target = cluster_->url(db);
    o.application_name = kHolderApp;
    auto c = pg::Connection::open(o);
    c.exec("BEGIN");
    c.exec(lock_sql);
    return c;
  }

  // psql's answer without its trailing newline.
  static std::string query(const std::string& sql, const std::string& db = "postgres") {
    std::string out = cluster_->psql(sql, db);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  static int our_backends() {
    return std::stoi(query(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crmbackup-native'"));
  }
  // Waits (bounded) until no backend of ours is left; returns how many remain at the end.
  static int wait_for_no_backends(Clock::time_point deadline) {
    int n = our_backends();
    while (n > 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      n = our_backends();
    }
    return n;
  }
  // The pid of our backend that waits for a lock, once it does (0 if the run ended first).
  static int wait_until_blocked(ts::BackgroundCli& cli, const std::string& db) {
    auto deadline = Clock::now() + std::chrono::seconds(120);
    while (cli.running() && Clock::now() < deadline) {
      std::string pid = query(
          "SELECT pid FROM pg_stat_activity WHERE application_name = 'crmbackup-native' AND datname = " +
          pg::quote_literal(db) + " AND wait_event_type = 'Lock' LIMIT 1");
      if (!pid.empty()) return std::stoi(pid);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
  }
  // A table (not the one held by the application) that our blocked backend has already locked
  // exclusively: an application query on it waits behind the restore.
  static std::string table_locked_by(int pid, const std::string& db) {
    return query(
        "SELECT n.nspname || '.' || c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE l.pid = " + std::to_string(pid) +
        " AND l.granted AND l.mode = 'AccessExclusiveLock' AND c.relkind = 'r' AND n.nspname = 'public' "
        "AND n.nspname || '.' || c.relname <> " + pg::quote_literal(kLockedTable) + " ORDER BY 1 LIMIT 1", db);
  }

  // Runs args while the application holds lock_sql on kLockedTable in db, sends sig once our
  // backend waits, and checks what every signal must leave: exit 128+sig with the message,
  // no backend of ours within 5 s, the application's own blocked query answered, db unchanged.
  void interrupt_while_blocked(const std::vector<std::string>& args, const std::string& db, const std::string& lock_sql,
                               int sig, const std::string& message, bool app_waits_behind_us) {
    auto before = checksums(db);
    auto holder = hold_lock(db, lock_sql);
    ts::BackgroundCli cli(env(), args);
    int pid = wait_until_blocked(cli, db);
    ASSERT_NE(pid, 0) << "the command never waited for the lock: " << cli.output();
    std::string behind;
    std::atomic<bool> app_done{false};
    std::string app_error;
    std::jthread app;  // joined on every path (its statement_timeout bounds it)
    if (app_waits_behind_us) {
      behind = table_locked_by(pid, db);
      ASSERT_FALSE(behind.empty()) << "the blocked restore holds no other table";
      app = std::jthread([&] {
        try {
          pg::ConnectOptions o;
          o.target = cluster_->url(db);
          o.application_name = "crm-app-waiting";
          auto c = pg::Connection::open(o);
          c.exec("SET statement_timeout = '90s'");
          c.exec("SELECT count(*) FROM " + behind);
        } catch (const std::exception& e) {
          app_error = e.what();
        }
        app_done = true;
      });
      // The application is queued behind our lock before the signal.
      auto until = Clock::now() + std::chrono::seconds(30);
      auto app_waits = [] {
        return query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crm-app-waiting' "
                     "AND wait_event_type = 'Lock'") == "1";
      };
      while (Clock::now() < until && !app_waits()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ASSERT_TRUE(app_waits()) << "the application's query on " << behind << " does not wait behind the restore";
    }
    auto signalled = Clock::now();
    cli.kill_with(sig);
    int remaining = wait_for_no_backends(signalled + std::chrono::seconds(5));
    EXPECT_EQ(remaining, 0) << "backends of ours still there 5 s after " << strsignal(sig);
    auto exit_deadline = Clock::now() + std::chrono::seconds(60);
    while (cli.running() && Clock::now() < exit_deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_FALSE(cli.running()) << "still running after " << strsignal(sig) << ": " << cli.output();
    EXPECT_EQ(cli.wait(), 128 + sig) << cli.output();
    std::string out = cli.output();
    EXPECT_NE(out.find(message), std::string::npos) << out;
    EXPECT_NE(out.find(sig == SIGTERM ? "SIGTERM" : "SIGINT"), std::string::npos) << out;
    if (app.joinable()) {
      app.join();  // bounded by its statement_timeout
      EXPECT_EQ(app_error, "") << "the application's query on " << behind << " did not complete";
    }
    holder.exec("ROLLBACK");
    EXPECT_EQ(ts::diff_maps(before, checksums(db)), "");
  }

  static crm::sandbox::PgCluster* cluster_;
  static ts::TempFolder* dir_;
  static std::string prefix_;
};
crm::sandbox::PgCluster* LocksAndSignals::cluster_ = nullptr;
ts::TempFolder* LocksAndSignals::dir_ = nullptr;
std::string LocksAndSignals::prefix_;

const std::string kReadLock = std::string("SELECT count(*) FROM ") + kLockedTable;
const std::string kExclusiveLock = std::string("LOCK TABLE ") + kLockedTable + " IN ACCESS EXCLUSIVE MODE";

}  // namespace

TEST_F(LocksAndSignals, RestoreGivesUpAtTheLockTimeoutNamingTheBlockerAndChangesNothing) {
  auto before = checksums();
  auto holder = hold_lock("postgres", kReadLock);
  auto t0 = Clock::now();
  auto r = env().run({"restore", prefix_, "--yes", "--no-attachments", "--lock-timeout", "3s"}, "", 120);
  auto took = Clock::now() - t0;
  std::string out = r.out + r.err;
  EXPECT_EQ(r.exit_code, 1) << out;
  EXPECT_NE(out.find("gave up waiting for a lock after 3.0 s"), std::string::npos) << out;
  EXPECT_NE(out.find("table " + std::string(kLockedTable)), std::string::npos) << out;
  EXPECT_NE(out.find("pid " + std::to_string(holder.backend_pid())), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("application \"") + kHolderApp + "\""), std::string::npos) << out;
  EXPECT_NE(out.find("idle in transaction"), std::string::npos) << out;
  EXPECT_NE(out.find("rolled back and is unchanged"), std::string::npos) << out;
  // While it waited it said so, before giving up.
  EXPECT_NE(out.find("Waiting"), std::string::npos) << out;
  EXPECT_LT(took, std::chrono::seconds(100)) << "gave up long after the limit";
  EXPECT_EQ(wait_for_no_backends(Clock::now() + std::chrono::seconds(5)), 0);
  holder.exec("ROLLBACK");
  EXPECT_EQ(ts::diff_maps(before, checksums()), "");
}

TEST_F(LocksAndSignals, BackupSchemaPhaseGivesUpBehindAnAccessExclusiveLockAndLeavesNoSet) {
  ts::TempFolder dir;
  auto holder = hold_lock("postgres", kExclusiveLock);
  auto r = env(dir.path).run({"backup", "--no-retention", "--no-attachments", "--lock-timeout", "3s"}, "", 120);
  std::string out = r.out + r.err;
  EXPECT_EQ(r.exit_code, 1) << out;
  EXPECT_NE(out.find("gave up waiting for a lock after 3.0 s"), std::string::npos) << out;
  EXPECT_NE(out.find("table " + std::string(kLockedTable) + " (AccessShareLock)"), std::string::npos) << out;
  EXPECT_NE(out.find("pid " + std::to_string(holder.backend_pid())), std::string::npos) << out;
  EXPECT_NE(out.find(kHolderApp), std::string::npos) << out;
  EXPECT_NE(out.find("unfinished backup was removed"), std::string::npos) << out;
  EXPECT_EQ(ts::dir_entries(dir.path), std::vector<std::string>{}) << "a failed backup left files";
  EXPECT_EQ(wait_for_no_backends(Clock::now() + std::chrono::seconds(5)), 0);
  holder.exec("ROLLBACK");
}

TEST_F(LocksAndSignals, VerifyRestoreIntoGivesUpAtTheLockTimeoutAndChangesNothing) {
  auto before = checksums("scratch");
  auto holder = hold_lock("scratch", kReadLock);
  auto r = env().run({"verify", prefix_, "--restore-into", cluster_->url("scratch"), "--yes", "--no-attachments",
                      "--lock-timeout", "3s"}, "", 120);
  std::string out = r.out + r.err;
  EXPECT_EQ(r.exit_code, 1) << out;
  EXPECT_NE(out.find("table " + std::string(kLockedTable)), std::string::npos) << out;
  EXPECT_NE(out.find("pid " + std::to_string(holder.backend_pid())), std::string::npos) << out;
  EXPECT_EQ(wait_for_no_backends(Clock::now() + std::chrono::seconds(5)), 0);
  holder.exec("ROLLBACK");
  EXPECT_EQ(ts::diff_maps(before, checksums("scratch")), "");
}

TEST_F(LocksAndSignals, TheRestoreLimitHoldsThroughAScriptsSetLockTimeoutAndResetAll) {
  // pg_dump-style files (ours too) begin with SET lock_timeout = 0 and end with RESET ALL:
  // the statement after them must still give up at the limit, not wait on.
  ts::TempFolder tmp;
  std::string file = tmp.path + "/script.sql";
  ts::spit(file, "SET lock_timeout = 0;\nRESET ALL;\nSELECT count(*) FROM " + std::string(kLockedTable) + ";\n");
  auto holder = hold_lock("postgres", kExclusiveLock);
  auto conn = pg::Connection::open({.target = cluster_->url()});
  conn.exec("SET statement_timeout = '30s'");  // bounds the test if the limit were lifted
  pg::Transaction tx(conn);
  crm::engine::LockLimit limit(conn, std::chrono::milliseconds(1000));
  auto src = crm::engine::open_script_source(file);
  pg::SqlSplitter split(*src, file);
  pg::ExecutorOptions eo;
  eo.on_statement = limit.wrap(nullptr);
  try {
    pg::execute_script(conn, split, eo);
    ADD_FAILURE() << "the script read a table locked by another session";
  } catch (const pg::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "55P03") << e.what();
  }
  holder.exec("ROLLBACK");
}

TEST_F(LocksAndSignals, SigtermAndSigintCancelARestoreBlockedBehindALock) {
  for (int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(strsignal(sig));
    interrupt_while_blocked({"restore", prefix_, "--yes", "--no-attachments"}, "postgres",
                            kReadLock, sig, "the database was rolled back and is unchanged", true);
  }
}

TEST_F(LocksAndSignals, SigtermAndSigintCancelAVerifyRestoreIntoBlockedBehindALock) {
  for (int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(strsignal(sig));
    interrupt_while_blocked({"verify", prefix_, "--restore-into", cluster_->url("scratch"), "--yes",
                             "--no-attachments"},
                            "scratch", kReadLock, sig, "was rolled back", true);
  }
}

TEST_F(LocksAndSignals, SigtermAndSigintCancelABackupBlockedBehindALockAndRemoveItsFolder) {
  for (int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(strsignal(sig));
    ts::TempFolder dir;
    auto e = env(dir.path);
    auto before = checksums();
    auto holder = hold_lock("postgres", kExclusiveLock);
    ts::BackgroundCli cli(e, {"backup", "--no-retention", "--no-attachments"});
    ASSERT_NE(wait_until_blocked(cli, "postgres"), 0) << cli.output();
    auto signalled = Clock::now();
    cli.kill_with(sig);
    EXPECT_EQ(wait_for_no_backends(signalled + std::chrono::seconds(5)), 0);
    auto exit_deadline = Clock::now() + std::chrono::seconds(60);
    while (cli.running() && Clock::now() < exit_deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_FALSE(cli.running()) << cli.output();
    EXPECT_EQ(cli.wait(), 128 + sig) << cli.output();
    EXPECT_NE(cli.output().find("the unfinished backup was removed"), std::string::npos) << cli.output();
    EXPECT_EQ(ts::dir_entries(dir.path), std::vector<std::string>{}) << cli.output();
    holder.exec("ROLLBACK");
    EXPECT_EQ(ts::diff_maps(before, checksums()), "");
  }
}

// A signal during verify --restore-into's comparison (after the restore committed) is an
// interruption like any other: exit 128+signal, the --json error says "interrupted", the
// message says where the restored backup is, and no backend of ours remains. The comparison is
// held up by the application: its exclusive lock, queued behind the restore, is granted on the
// new table the moment the restore commits, so the comparison's COPY waits behind it.
TEST_F(LocksAndSignals, SignalDuringVerifysComparisonIsAnInterruption) {
  for (int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(strsignal(sig));
    auto holder = hold_lock("scratch", kReadLock);
    ts::BackgroundCli cli(env(), {"verify", prefix_, "--restore-into", cluster_->url("scratch"), "--yes",
                                  "--no-attachments", "--json"});
    ASSERT_NE(wait_until_blocked(cli, "scratch"), 0) << cli.output();
    std::atomic<bool> release{false};
    std::atomic<bool> locked{false};
    std::string app_error;
    std::jthread app([&] {
      try {
        pg::ConnectOptions o;
        o.target = cluster_->url("scratch");
        o.application_name = "crm-app-next";
        auto c = pg::Connection::open(o);
        c.exec("BEGIN");
        c.exec("SET LOCAL lock_timeout = '90s'");
        c.exec(std::string("LOCK TABLE ") + kLockedTable + " IN ACCESS EXCLUSIVE MODE");
        locked = true;
        auto until = Clock::now() + std::chrono::seconds(90);
        while (!release && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        c.exec("ROLLBACK");
      } catch (const std::exception& e) {
        app_error = e.what();
      }
    });
    auto queued = [] {
      return query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crm-app-next' "
                   "AND wait_event_type = 'Lock'") == "1";
    };
    auto until = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < until && !queued()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(queued()) << "the application's LOCK TABLE did not queue behind the restore";
    holder.exec("ROLLBACK");  // the restore goes on and commits; the application takes the new table
    auto comparing = [&cli] {
      return cli.output().find("Comparing tables with the manifest") != std::string::npos &&
             query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crmbackup-native' "
                   "AND datname = 'scratch' AND wait_event_type = 'Lock'") == "1";
    };
    until = Clock::now() + std::chrono::seconds(60);
    while (cli.running() && Clock::now() < until && !comparing())
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(comparing()) << "the comparison never waited behind the application: " << cli.output();
    EXPECT_TRUE(locked.load());
    auto signalled = Clock::now();
    cli.kill_with(sig);
    EXPECT_EQ(wait_for_no_backends(signalled + std::chrono::seconds(5)), 0);
    auto exit_deadline = Clock::now() + std::chrono::seconds(60);
    while (cli.running() && Clock::now() < exit_deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    release = true;
    ASSERT_FALSE(cli.running()) << cli.output();
    EXPECT_EQ(cli.wait(), 128 + sig) << cli.output();
    std::string out = cli.output();
    EXPECT_NE(out.find("stopped during the comparison"), std::string::npos) << out;
    EXPECT_NE(out.find("\"code\": \"interrupted\""), std::string::npos) << out;
    app.join();
    EXPECT_EQ(app_error, "");
  }
}
