// BACKUP_DIR as `list`, `prune`, `verify`, `restore` and `backup` read it, through the binary:
// a set's time is the same in every TZ, a set whose parts changed size is not "complete", a
// killed run's leftovers show their real size, an unreadable folder is an error that names
// its owner and the running user, and --retention-days is checked in words. No database is
// needed: every command here fails or finishes before it would connect.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/backupset/manifest.hpp"
#include "engine/backupset/staging.hpp"
#include "engine/format/human.hpp"
#include "engine/io/hash.hpp"
#include "fixtures/sandbox/process.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/fault_helpers.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
namespace engine = crm::engine;

namespace {

// The prefix a backup started at t gets on a machine whose zone is UTC.
std::string utc_prefix(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "backup-%Y-%m-%d-%H%M%S", &tm);
  return buf;
}

// A complete set as the backup writes it: three SQL files, one attachment, a manifest with
// their sizes and hashes and the UTC start.
void make_set(const fs::path& dir, const std::string& prefix, std::time_t started) {
  engine::Manifest m;
  m.tool_version = "test";
  m.prefix = prefix;
  m.server_version = "15";
  m.database = "postgresql://postgres:***@127.0.0.1:1/postgres";
  m.snapshot_time = m.started_at = m.finished_at = engine::format_iso8601_utc(started);
  for (auto [part, role] : {std::pair{"roles.sql", "roles"}, std::pair{"schema.sql", "schema"},
                            std::pair{"data.sql", "data"}}) {
    std::string body = std::string("-- ") + part + "\n" + std::string(4000, 'x') + "\n";
    ts::spit(dir / (prefix + "-" + part), body);
    m.files.push_back({prefix + "-" + part, role, body.size(), engine::xxh3_128_hex(body)});
  }
  std::string att = "attachment bytes";
  fs::create_directories(dir / (prefix + "-attachments") / "deals");
  ts::spit(dir / (prefix + "-attachments") / "deals" / "a.pdf", att);
  m.attachments_included = true;
  m.bucket = "attachments";
  m.objects = {{"deals/a.pdf", att.size(), engine::xxh3_128_hex(att), "application/pdf", "no-cache", "", "", "downloaded", ""}};
  ts::spit(dir / (prefix + "-manifest.json"), engine::manifest_to_json(m));
}

crm::sandbox::ProcessResult run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                                    const std::vector<std::string>& as_user = {}) {
  std::vector<std::string> argv = as_user;
  argv.push_back(ts::cli_binary());
  argv.insert(argv.end(), args.begin(), args.end());
  crm::sandbox::ProcessOptions o;
  o.unset_env = {"BACKUP_DIR", "SUPABASE_DB_URL", "DATABASE_URL", "SUPABASE_STORAGE_URL", "SUPABASE_URL",
                 "SUPABASE_SERVICE_ROLE_KEY", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"};
  o.env = env;
  o.timeout_seconds = 60;
  return crm::sandbox::run_process(argv, o);
}

// prefix -> field of `list --json`.
std::map<std::string, std::string> listed(const std::string& json, const char* field) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  std::map<std::string, std::string> out;
  for (simdjson::dom::element b : doc["backups"].get_array()) {
    std::string_view prefix = b["prefix"].get_string();
    std::string_view value = b[field].get_string();
    out[std::string(prefix)] = std::string(value);
  }
  return out;
}

}  // namespace

// Sets written minutes ago on a machine in UTC, read by someone in New York or Kolkata: the
// same instants in the JSON, and prune finds nothing in the future.
TEST(SetTimes, AreTheSameInEveryTimeZone) {
  ts::TempFolder dir;
  std::time_t now = std::time(nullptr);
  std::string older = utc_prefix(now - 300), newer = utc_prefix(now - 120);
  make_set(dir.path, older, now - 300);
  make_set(dir.path, newer, now - 120);
  for (const char* tz : {"UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"}) {
    SCOPED_TRACE(tz);
    auto r = run_cli({"list", "--json", "--backup-dir", dir.path}, {{"TZ", tz}});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto times = listed(r.out, "time");
    EXPECT_EQ(times[older], engine::format_iso8601_utc(now - 300));
    EXPECT_EQ(times[newer], engine::format_iso8601_utc(now - 120));
    EXPECT_EQ(listed(r.out, "state")[newer], "complete");

    auto p = run_cli({"prune", "--dry-run", "--backup-dir", dir.path}, {{"TZ", tz}});
    ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
    EXPECT_EQ(p.out.find("future"), std::string::npos) << p.out;
    EXPECT_NE(p.out.find("Kept " + older + ": within the 7-day retention period"), std::string::npos) << p.out;
  }
}

// A set without a manifest (the old scripts' sets) has only its name: it is read in the
// reader's zone, as the README says.
TEST(SetTimes, LegacySetsAreReadByTheirNameInTheLocalZone) {
  ts::TempFolder dir;
  for (auto part : {"roles.sql", "schema.sql", "data.sql"}) ts::spit(fs::path(dir.path) / (std::string("backup-2024-01-15-143022-") + part), "x");
  auto ny = run_cli({"list", "--json", "--backup-dir", dir.path}, {{"TZ", "America/New_York"}});
  ASSERT_EQ(ny.exit_code, 0) << ny.err;
  EXPECT_EQ(listed(ny.out, "time")["backup-2024-01-15-143022"], "2024-01-15T19:30:22Z");
  EXPECT_EQ(listed(ny.out, "time_source")["backup-2024-01-15-143022"], "name");
  auto utc = run_cli({"list", "--json", "--backup-dir", dir.path}, {{"TZ", "UTC"}});
  EXPECT_EQ(listed(utc.out, "time")["backup-2024-01-15-143022"], "2024-01-15T14:30:22Z");
}

TEST(ListSizes, ATruncatedOrResizedPartShowsDamagedWithWhatIsWrong) {
  ts::TempFolder dir;
  fs::path d = dir.path;
  std::time_t now = std::time(nullptr);
  std::string a = utc_prefix(now - 3000), b = utc_prefix(now - 2000), c = utc_prefix(now - 1000);
  make_set(d, a, now - 3000);
  make_set(d, b, now - 2000);
  make_set(d, c, now - 1000);
  fs::resize_file(d / (c + "-schema.sql"), 100);  // truncated
  ts::spit(d / (b + "-attachments") / "deals" / "a.pdf", "attachment bytes, rewritten longer");
  auto r = run_cli({"list", "--backup-dir", dir.path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[damaged: " + c + "-schema.sql: expected 4015 bytes, found 100]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[damaged: " + b + "-attachments/deals/a.pdf: expected 16 bytes, found 34]"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(a + " ("), std::string::npos);
  auto states = listed(run_cli({"list", "--json", "--backup-dir", dir.path}).out, "state");
  EXPECT_EQ(states[a], "complete");
  EXPECT_EQ(states[b], "damaged");
  EXPECT_EQ(states[c], "damaged");
}

// What a backup killed with SIGKILL leaves: its staging folder, counted at its real size.
TEST(ListSizes, AKilledRunsLeftoverFolderShowsWhatItHolds) {
  ts::TempFolder dir;
  std::string prefix = utc_prefix(std::time(nullptr) - 60);
  fs::path staging = fs::path(dir.path) / engine::staging_name(prefix);
  fs::create_directories(staging / "attachments" / "deals");
  ts::spit(staging / "lock", "4242\n");
  ts::spit(staging / "data.sql", std::string(3 << 20, 'd'));
  ts::spit(staging / "attachments" / "deals" / "big.bin", std::string(2 << 20, 'a'));
  auto r = run_cli({"list", "--backup-dir", dir.path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::uint64_t total = (3u << 20) + 5 + (2u << 20);
  EXPECT_NE(r.out.find(prefix + " (" + engine::format_gb(total) + " / " + engine::format_mb(total) +
                       ", attachments: " + engine::format_gb(2u << 20)),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[incomplete: left by an interrupted backup"), std::string::npos) << r.out;
}

// cron running as the wrong user: the folder belongs to root with mode 0700 and the command
// runs as nobody. Root would read it whatever its mode, so the binary runs as nobody.
TEST(UnreadableBackupDir, EveryCommandFailsNamingTheOwnerAndTheUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the binary as another user";
  if (crm::sandbox::find_program("setpriv").empty()) GTEST_SKIP() << "setpriv not installed";
  ts::TempFolder dir;  // root, 0700
  ASSERT_EQ(::chmod(dir.path.c_str(), 0700), 0);
  std::string prefix = utc_prefix(std::time(nullptr) - 600);
  make_set(dir.path, prefix, std::time(nullptr) - 600);
  const std::vector<std::string> as_nobody = {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"};
  const std::string db = "postgresql://postgres@127.0.0.1:1/postgres";
  std::vector<std::vector<std::string>> commands = {
      {"list", "--backup-dir", dir.path},
      {"list", "--json", "--backup-dir", dir.path},
      {"prune", "--backup-dir", dir.path},
      {"prune", "--dry-run", "--backup-dir", dir.path},
      {"verify", prefix, "--backup-dir", dir.path},
      {"verify", dir.path + "/" + prefix},
      {"restore", prefix, "--yes", "--no-attachments", "--backup-dir", dir.path, "--db-url", db},
      {"backup", "--no-attachments", "--backup-dir", dir.path, "--db-url", db},
      {"backup", "--no-attachments", "--backup-dir", dir.path + "/nested", "--db-url", db},
  };
  for (const auto& args : commands) {
    SCOPED_TRACE(::testing::PrintToString(args));
    auto r = run_cli(args, {}, as_nobody);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(dir.path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("belongs to root (uid 0)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("runs as nobody (uid 65534)"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("No backups found"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("No backups would be deleted"), std::string::npos) << r.out;
  }
  // Nothing was touched: root still sees the complete set.
  auto r = run_cli({"list", "--json", "--backup-dir", dir.path});
  EXPECT_EQ(listed(r.out, "state")[prefix], "complete") << r.out;
}

TEST(RetentionDays, OutOfRangeIsAUsageErrorInWords) {
  ts::TempFolder dir;
  for (std::string bad : {"0", "-1", "36501", "99999999999999999999", "7.5", "week"}) {
    for (const char* cmd : {"prune", "backup"}) {
      SCOPED_TRACE(std::string(cmd) + " --retention-days " + bad);
      auto r = run_cli({cmd, "--retention-days", bad, "--backup-dir", dir.path});
      EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
      EXPECT_NE(r.err.find("--retention-days: must be a whole number of days from 1 to 36500, got"), std::string::npos)
          << r.err;
      EXPECT_EQ(r.err.find("e+308"), std::string::npos) << r.err;
    }
  }
  auto ok = run_cli({"prune", "--dry-run", "--retention-days", "1", "--backup-dir", dir.path});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}
