// The set on disk: names, manifest round trip, atomic finish, crash leftovers, retention.
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/backupset/retention.hpp"
#include "engine/backupset/set_name.hpp"
#include "engine/backupset/set_report.hpp"
#include "engine/backupset/staging.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/fault_helpers.hpp"
#include "tests/support/files.hpp"
#include "engine/errors.hpp"
#include "engine/format/human.hpp"

using namespace crm::engine;
namespace fs = std::filesystem;

namespace {

using crm::testsupport::local_time;
using crm::testsupport::TempDir;
using crm::testsupport::write_file;

Manifest sample_manifest(const std::string& prefix) {
  Manifest m;
  m.tool_version = "crmbackup-native test";
  m.prefix = prefix;
  m.server_version = "15.4";
  m.database = "postgresql://postgres:***@127.0.0.1:54322/postgres";
  // Started when its name says, in this machine's zone (as the writer names it).
  m.snapshot_time = m.started_at = m.finished_at = format_iso8601_utc(parse_prefix(prefix)->time);
  m.options = {{"jobs", "2"}, {"compress", "none"}};
  m.files = {{prefix + "-roles.sql", "roles", 3, "00"}, {prefix + "-schema.sql", "schema", 3, "11"},
             {prefix + "-data.sql", "data", 3, "22"}};
  m.tables = {{"public", "contactNotes", 2, 10, "ab"}};
  m.sequences = {{"public", "s\"q", 42, true}};
  m.applied_migrations = {"20240101000000"};
  m.warnings = {"not written to schema.sql (kind not supported): operator public.=~="};
  m.attachments_included = true;
  m.bucket = "attachments";
  m.objects = {{"a/b c.pdf", 5, "cd", "application/pdf", "max-age=3600", "\"e\"", "Mon", "downloaded", ""}};
  return m;
}

// A hand-made set: the three SQL files with `sql_bytes` bytes each, attachments, a manifest.
void make_set(const fs::path& dir, const std::string& prefix, size_t sql_bytes, bool manifest = true,
              bool attachments = true) {
  for (auto part : {"roles.sql", "schema.sql", "data.sql"})
    write_file(dir / (prefix + "-" + part), std::string(sql_bytes, 'x'));
  if (attachments) write_file(dir / (prefix + "-attachments") / "a" / "f.bin", "12345");
  if (manifest) {
    Manifest m = sample_manifest(prefix);
    for (auto& f : m.files) f.size = sql_bytes;
    m.attachments_included = attachments;
    m.objects = {};
    if (attachments) m.objects = {{"a/f.bin", 5, "cd", "application/octet-stream", "", "", "", "downloaded", ""}};
    write_file(dir / (prefix + "-manifest.json"), manifest_to_json(m));
  }
}

}  // namespace

TEST(SetName, FormatsAndParsesBothForms) {
  std::time_t t = local_time(2024, 1, 15, 14, 30, 22);
  EXPECT_EQ(make_prefix(t), "backup-2024-01-15-143022");
  auto a = parse_prefix("backup-2024-01-15-143022");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->time, t);
  EXPECT_FALSE(a->legacy_t_form);
  auto b = parse_prefix("backup-2024-01-15T14-30-22");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->time, t);
  EXPECT_TRUE(b->legacy_t_form);
  for (auto bad : {"backup-2024-01-15", "backup-2024-13-15-143022", "backup-2024-01-15-14302x", "xbackup-2024-01-15-143022",
                   "backup-2024-01-15-1430222", "backup-../../etc"})
    EXPECT_FALSE(parse_prefix(bad)) << bad;
  auto part = parse_set_file_name("backup-2024-01-15T14-30-22-data.sql.zst");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->part, "data.sql.zst");
  EXPECT_FALSE(parse_set_file_name("backup-2024-01-15-143022-notes.txt"));
}

TEST(HumanFormat, MatchesTheOldScripts) {
  // Binary counting, labelled as binary (issue 16: the old scripts wrote GB/MB for the same).
  EXPECT_EQ(format_gb(12884901888ull), "12.00 GiB");
  EXPECT_EQ(format_mb(12887526195ull), "12290.50 MiB");
  EXPECT_EQ(format_size_auto(10485), "0.01 MiB");
  EXPECT_EQ(format_rate(3.0 * 1048576), "3.00 MiB/s");
  EXPECT_EQ(format_count(33000), "33,000");
  EXPECT_EQ(format_count(7), "7");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  std::tm tm{};
  tm.tm_year = 124;
  tm.tm_mon = 0;
  tm.tm_mday = 15;
  tm.tm_hour = 14;
  tm.tm_min = 30;
  tm.tm_sec = 22;
  EXPECT_EQ(format_us_datetime(tm), "1/15/2024, 2:30:22 PM");
  tm.tm_hour = 0;
  EXPECT_EQ(format_us_datetime(tm), "1/15/2024, 12:30:22 AM");
}

TEST(Manifest, RoundTripsEveryField) {
  Manifest m = sample_manifest("backup-2024-01-15-143022");
  Manifest back = parse_manifest(manifest_to_json(m), "test");
  EXPECT_EQ(manifest_to_json(back), manifest_to_json(m));
  EXPECT_EQ(back.tables[0].name, "contactNotes");
  EXPECT_EQ(back.sequences[0].name, "s\"q");
  EXPECT_EQ(back.objects[0].path, "a/b c.pdf");
  EXPECT_EQ(back.attachments_bytes(), 5u);
  EXPECT_EQ(back.warnings, m.warnings);
}

// Sets written before warnings were recorded still read: no key means nothing was left out.
TEST(Manifest, WithoutWarningsKeyReadsAsNoWarnings) {
  std::string json = manifest_to_json(sample_manifest("backup-2024-01-15-143022"));
  size_t at = json.find("\"warnings\"");
  ASSERT_NE(at, std::string::npos);
  size_t end = json.find(']', at);
  json.erase(at, end + 2 - at);  // the key, its array and the comma after it
  Manifest back = parse_manifest(json, "old");
  EXPECT_TRUE(back.warnings.empty());
  std::string bad = manifest_to_json(sample_manifest("backup-2024-01-15-143022"));
  bad.replace(bad.find("\"warnings\": ["), 13, "\"warnings\": 7, \"x\": [");
  EXPECT_THROW(parse_manifest(bad, "bad"), ManifestError);
}

TEST(Manifest, MalformedOrLyingManifestsAreRefusedWithTheField) {
  auto json = manifest_to_json(sample_manifest("backup-2024-01-15-143022"));
  EXPECT_THROW(parse_manifest("{not json", "m"), ManifestError);
  EXPECT_THROW(parse_manifest("[]", "m"), ManifestError);
  auto bad_count = json;
  bad_count.replace(bad_count.find("\"count\": 1"), 10, "\"count\": 2");
  try {
    parse_manifest(bad_count, "m.json");
    FAIL();
  } catch (const ManifestError& e) {
    EXPECT_NE(std::string(e.what()).find("count"), std::string::npos) << e.what();
  }
  auto escape = json;
  escape.replace(escape.find("backup-2024-01-15-143022-roles.sql"), 34, "../../etc/passwd");
  EXPECT_THROW(parse_manifest(escape, "m"), ManifestError);
  auto wrong_type = json;
  wrong_type.replace(wrong_type.find("\"rows\": 2"), 9, "\"rows\": \"2\"");
  EXPECT_THROW(parse_manifest(wrong_type, "m"), ManifestError);
}

TEST(BackupDir, ErrorsUseTheOldWordingUnderMakeAndNameTheFlagOtherwise) {
  TempDir t;
  unsetenv("BACKUP_DIR");
  setenv("CRMBACKUP_MAKE_TARGET", "backup-database", 1);
  try {
    resolve_backup_dir("", true);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("BACKUP_DIR environment variable is not set"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Example: BACKUP_DIR=/path/to/backups make backup-database"), std::string::npos);
  }
  unsetenv("CRMBACKUP_MAKE_TARGET");
  try {
    resolve_backup_dir("", true);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).find("make"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--backup-dir"), std::string::npos) << e.what();
  }
  try {
    resolve_backup_dir("relative/dir", true);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("--backup-dir must be an absolute path, got 'relative/dir'")) << e.what();
  }
  setenv("BACKUP_DIR", "relative/dir", 1);
  try {
    resolve_backup_dir("", true);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("BACKUP_DIR must be an absolute path")) << e.what();
  }
  unsetenv("BACKUP_DIR");
  write_file(t.path / "afile", "x");
  EXPECT_THROW(resolve_backup_dir((t.path / "afile").string(), true), UsageError);
  auto made = resolve_backup_dir((t.path / "new" / "nested").string(), true);
  struct stat st{};
  ASSERT_EQ(stat(made.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
}

TEST(SetWriter, SetAppearsCompleteOnlyAfterFinish) {
  TempDir t;
  std::time_t now = local_time(2024, 1, 15, 14, 30, 22);
  SetWriter w(t.path, now);
  EXPECT_EQ(w.prefix(), "backup-2024-01-15-143022");
  write_file(w.staging_path("roles.sql"), "r");
  write_file(w.staging_path("schema.sql"), "s");
  write_file(w.staging_path("data.sql"), "d");
  auto during = scan_backup_dir(t.path);
  ASSERT_EQ(during.size(), 1u);
  EXPECT_EQ(during[0].state, SetState::InProgress);
  Manifest m = sample_manifest(w.prefix());
  for (auto& f : m.files) f.size = 1;
  m.attachments_included = false;
  w.finish(m);
  auto after = scan_backup_dir(t.path);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].state, SetState::Complete) << after[0].state_reason;
  EXPECT_FALSE(fs::exists(w.staging_dir()));
}

TEST(SetWriter, TwoBackupsInTheSameSecondDoNotCollide) {
  TempDir t;
  std::time_t now = local_time(2024, 1, 15, 14, 30, 22);
  SetWriter a(t.path, now);
  SetWriter b(t.path, now);
  EXPECT_NE(a.prefix(), b.prefix());
  EXPECT_EQ(b.prefix(), "backup-2024-01-15-143023");
}

TEST(SetWriter, AbandonedWriterLeavesNothing) {
  TempDir t;
  make_set(t.path, "backup-2024-01-10-120000", 10);
  {
    SetWriter w(t.path, local_time(2024, 1, 15));
    write_file(w.staging_path("roles.sql"), "r");
  }
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].name.prefix, "backup-2024-01-10-120000");
  EXPECT_EQ(sets[0].state, SetState::Complete);
}

TEST(SetWriter, CrashLeftoversAreRecognisedAndCleaned) {
  TempDir t;
  make_set(t.path, "backup-2024-01-10-120000", 10);
  // A crashed run: staging folder without a live lock, one part already renamed, a temp file.
  std::string crashed = "backup-2024-01-15-120000";
  fs::create_directory(t.path / staging_name(crashed));
  write_file(t.path / staging_name(crashed) / "lock", "99999\n");
  write_file(t.path / staging_name(crashed) / "data.sql", "partial");
  write_file(t.path / (crashed + "-roles.sql"), "r");
  write_file(t.path / ("." + crashed + "-manifest.json.tmp-4242"), "{");
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].state, SetState::Incomplete);
  auto removed = clean_crashed_runs(t.path);
  EXPECT_EQ(removed.size(), 3u);
  sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].name.prefix, "backup-2024-01-10-120000");
  EXPECT_EQ(sets[0].state, SetState::Complete);
}

TEST(SetWriter, RunKilledAfterItsManifestLeftACommittedSet) {
  TempDir t;
  // Killed between renaming the manifest into place (the commit point) and removing the
  // staging folder: list calls it complete, and the next backup keeps it.
  std::string committed = "backup-2024-01-15-120000";
  make_set(t.path, committed, 10);
  fs::create_directory(t.path / staging_name(committed));
  write_file(t.path / staging_name(committed) / "lock", "99999\n");
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].state, SetState::Complete) << sets[0].state_reason;
  auto removed = clean_crashed_runs(t.path);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_NE(removed[0].find("staging folder"), std::string::npos) << removed[0];
  sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].state, SetState::Complete);
  EXPECT_TRUE(fs::exists(t.path / (committed + "-data.sql")));
}

TEST(BackupDir, StatesOfLegacyIncompleteAndLyingSets) {
  TempDir t;
  make_set(t.path, "backup-2024-01-12-120000", 10, /*manifest=*/false);
  make_set(t.path, "backup-2024-01-13T12-00-00", 10, false);
  write_file(t.path / "backup-2024-01-14-120000-roles.sql", "r");
  make_set(t.path, "backup-2024-01-15-120000", 10);
  fs::remove(t.path / "backup-2024-01-15-120000-data.sql");  // the manifest lies now
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 4u);
  EXPECT_EQ(sets[0].state, SetState::Incomplete);
  EXPECT_NE(sets[0].state_reason.find("data.sql"), std::string::npos);
  EXPECT_EQ(sets[1].state, SetState::Incomplete);
  EXPECT_EQ(sets[2].state, SetState::Legacy);
  EXPECT_TRUE(sets[2].name.legacy_t_form);
  EXPECT_EQ(sets[3].state, SetState::Legacy);
  EXPECT_EQ(sets[3].attachments_bytes, 5u);
}

TEST(FindSet, ByPrefixByPathAndClearErrors) {
  TempDir t;
  make_set(t.path, "backup-2024-01-15-143022", 4);
  EXPECT_EQ(find_set(t.path, "backup-2024-01-15-143022").state, SetState::Complete);
  EXPECT_EQ(find_set("/nonexistent", (t.path / "backup-2024-01-15-143022").string()).name.prefix,
            "backup-2024-01-15-143022");
  EXPECT_EQ(find_set("/nonexistent", (t.path / "backup-2024-01-15-143022-data.sql").string()).name.prefix,
            "backup-2024-01-15-143022");
  try {
    find_set(t.path, "backup-2024-01-16-000000");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("Backup files not found for prefix"), std::string::npos);
  }
  EXPECT_THROW(find_set(t.path, "../etc/passwd"), UsageError);
  EXPECT_THROW(find_set(t.path, "yesterday"), UsageError);
}

TEST(Retention, DeletesExactlyTheRightSets) {
  TempDir t;
  std::time_t now = local_time(2024, 1, 20, 12, 0, 0);
  make_set(t.path, "backup-2024-01-20-120000", 100);        // just made
  make_set(t.path, "backup-2024-01-25-120000", 10);         // future (clock skew)
  make_set(t.path, "backup-2024-01-15-120000", 10);         // 5 days: within retention
  make_set(t.path, "backup-2024-01-05-120000", 10);         // old, smaller: delete
  make_set(t.path, "backup-2024-01-04-120000", 100);        // old, equal size: delete
  make_set(t.path, "backup-2024-01-03-120000", 1000);       // old, larger: keep (safety)
  make_set(t.path, "backup-2024-01-02T12-00-00", 10, false);  // old legacy smaller: delete
  write_file(t.path / "backup-2024-01-01-120000-roles.sql", "r");  // old, incomplete: keep
  auto plan = plan_retention(scan_backup_dir(t.path), std::string("backup-2024-01-20-120000"), now, 7);
  std::map<std::string, bool> removed;
  for (const auto& d : plan.decisions) removed[d.prefix] = d.remove;
  EXPECT_FALSE(removed["backup-2024-01-20-120000"]);
  EXPECT_FALSE(removed["backup-2024-01-25-120000"]);
  EXPECT_FALSE(removed["backup-2024-01-15-120000"]);
  EXPECT_TRUE(removed["backup-2024-01-05-120000"]);
  EXPECT_TRUE(removed["backup-2024-01-04-120000"]);
  EXPECT_FALSE(removed["backup-2024-01-03-120000"]);
  EXPECT_TRUE(removed["backup-2024-01-02T12-00-00"]);
  EXPECT_FALSE(removed["backup-2024-01-01-120000"]);
  apply_retention(t.path, plan);
  std::vector<std::string> left;
  for (const auto& s : scan_backup_dir(t.path)) left.push_back(s.name.prefix);
  EXPECT_EQ(left, (std::vector<std::string>{"backup-2024-01-25-120000", "backup-2024-01-20-120000",
                                            "backup-2024-01-15-120000", "backup-2024-01-03-120000",
                                            "backup-2024-01-01-120000"}));
}

TEST(Retention, NeverDeletesTheLastGoodSet) {
  TempDir t;
  std::time_t now = local_time(2024, 2, 20);
  // Only legacy sets, all old: prune has no complete reference, so nothing goes.
  make_set(t.path, "backup-2024-01-02-120000", 10, false);
  make_set(t.path, "backup-2024-01-03-120000", 10, false);
  auto plan = plan_retention(scan_backup_dir(t.path), std::nullopt, now, 7);
  EXPECT_FALSE(plan.reference);
  for (const auto& d : plan.decisions) EXPECT_FALSE(d.remove) << d.prefix;
  // The newest set is incomplete: the newest complete one is the reference and stays.
  make_set(t.path, "backup-2024-01-10-120000", 10);
  write_file(t.path / "backup-2024-02-19-120000-roles.sql", "r");
  plan = plan_retention(scan_backup_dir(t.path), std::nullopt, now, 7);
  ASSERT_TRUE(plan.reference);
  EXPECT_EQ(*plan.reference, "backup-2024-01-10-120000");
  for (const auto& d : plan.decisions)
    if (d.prefix == "backup-2024-01-10-120000" || d.prefix == "backup-2024-02-19-120000") {
      EXPECT_FALSE(d.remove);
    }
}


// Watches the folder while a set is removed: the first entry to go must be the manifest, so a
// removal interrupted at any later point never leaves a set that looks complete.
TEST(RemoveSet, ManifestGoesFirst) {
  TempDir t;
  make_set(t.path, "backup-2024-01-05-120000", 10);
  make_set(t.path, "backup-2024-01-06-120000", 10);  // a neighbour that stays
  int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_GE(inotify_add_watch(fd, t.path.c_str(), IN_DELETE), 0) << std::strerror(errno);
  remove_set(t.path, "backup-2024-01-05-120000");
  std::vector<std::string> gone;  // in the order the kernel saw the removals
  alignas(inotify_event) char buf[1 << 16];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      if (ev->len) gone.emplace_back(ev->name);
      p += sizeof(inotify_event) + ev->len;
    }
  close(fd);
  ASSERT_EQ(gone.size(), 5u) << ::testing::PrintToString(gone);  // 3 SQL files, attachments, manifest
  EXPECT_EQ(gone.front(), "backup-2024-01-05-120000-manifest.json") << ::testing::PrintToString(gone);
  auto left = scan_backup_dir(t.path);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].name.prefix, "backup-2024-01-06-120000");
  EXPECT_EQ(left[0].state, SetState::Complete);
}

TEST(SetTime, ParsesTheManifestsUtcTimes) {
  EXPECT_EQ(parse_utc_timestamp("2024-01-15T14:30:22Z"), std::time_t{1705329022});
  EXPECT_EQ(parse_utc_timestamp("2024-01-15T14:30:22.123456Z"), std::time_t{1705329022});
  for (auto bad : {"", "2024-01-15T14:30:22", "2024-01-15 14:30:22Z", "2024-13-15T14:30:22Z", "2024-01-15T14:30:22+01:00",
                   "2024-01-15T14:30:22Zx"})
    EXPECT_FALSE(parse_utc_timestamp(bad)) << bad;
}

// The manifest's UTC start dates a set, not its name (local time of whoever wrote it); a set
// without a manifest is dated by its name in this machine's zone.
TEST(SetTime, ManifestStartDatesTheSetAndTheNameOnlyLegacySets) {
  TempDir t;
  make_set(t.path, "backup-2024-01-15-143022", 10);
  Manifest m = parse_manifest(crm::testsupport::slurp(t.path / "backup-2024-01-15-143022-manifest.json"), "m");
  m.started_at = "2024-01-15T03:00:00Z";  // written in another zone
  write_file(t.path / "backup-2024-01-15-143022-manifest.json", manifest_to_json(m));
  make_set(t.path, "backup-2024-01-14-120000", 10, /*manifest=*/false);
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name.prefix, "backup-2024-01-15-143022");
  EXPECT_EQ(sets[0].time, std::time_t{1705287600});
  EXPECT_TRUE(sets[0].time_from_manifest);
  EXPECT_EQ(sets[1].time, local_time(2024, 1, 14, 12, 0, 0));
  EXPECT_FALSE(sets[1].time_from_manifest);
  JsonWriter w;
  write_set_json(w, sets[0]);
  EXPECT_NE(w.str().find("\"time\": \"2024-01-15T03:00:00Z\""), std::string::npos) << w.str();
  // Retention ages it from its start: 7 days and 1 second after it, it is old.
  auto plan = plan_retention(sets, std::string("backup-2024-01-14-120000"), 1705287600 + 7 * 86400 + 1, 7);
  for (const auto& d : plan.decisions)
    if (d.prefix == "backup-2024-01-15-143022") {
      EXPECT_EQ(d.reason, "newer than backup-2024-01-14-120000") << d.reason;
    }
}

// Three backups started in the same second get consecutive prefixes (the next free second),
// but share their start: whichever applies retention first must not take a sibling's bumped
// prefix for a date in the future.
TEST(SetTime, BackupsStartedInTheSameSecondAreNotFutureDatedForEachOther) {
  TempDir t;
  std::time_t start = local_time(2024, 1, 15, 14, 30, 22);
  make_set(t.path, "backup-2024-01-10-120000", 10);
  std::vector<std::unique_ptr<SetWriter>> writers;
  for (int i = 0; i < 3; ++i) writers.push_back(std::make_unique<SetWriter>(t.path, start));
  for (auto& w : writers) {
    for (auto part : {"roles.sql", "schema.sql", "data.sql"}) write_file(w->staging_path(part), "x");
    Manifest m = sample_manifest(w->prefix());
    m.started_at = format_iso8601_utc(start);
    for (auto& f : m.files) f.size = 1;
    m.attachments_included = false;
    w->finish(m);
  }
  EXPECT_EQ(writers[2]->prefix(), "backup-2024-01-15-143024");
  for (auto& w : writers) {
    auto plan = plan_retention(scan_backup_dir(t.path), w->prefix(), start + 1, 7);
    for (const auto& d : plan.decisions) {
      EXPECT_FALSE(d.remove) << d.prefix;
      EXPECT_EQ(d.reason.find("future"), std::string::npos) << w->prefix() << " judging " << d.prefix << ": " << d.reason;
    }
  }
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sets[i].name.prefix, writers[2 - i]->prefix());
    EXPECT_EQ(sets[i].time, start);
  }
}

// list's cheap check: every part's size against the manifest, no hashing.
TEST(BackupDir, SizeCheckMarksDamagedSetsAndSaysWhatIsWrong) {
  TempDir t;
  make_set(t.path, "backup-2024-01-15-120000", 10);
  make_set(t.path, "backup-2024-01-14-120000", 10);
  make_set(t.path, "backup-2024-01-13-120000", 10);
  write_file(t.path / "backup-2024-01-15-120000-schema.sql", "xxx");                 // truncated
  write_file(t.path / "backup-2024-01-14-120000-attachments" / "a" / "f.bin", "1234567");  // grew
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[0].state, SetState::Damaged);
  EXPECT_EQ(sets[0].state_reason, "backup-2024-01-15-120000-schema.sql: expected 10 bytes, found 3");
  EXPECT_NE(set_list_line(sets[0]).find("[damaged: backup-2024-01-15-120000-schema.sql: expected 10 bytes, found 3"),
            std::string::npos)
      << set_list_line(sets[0]);
  EXPECT_EQ(sets[1].state, SetState::Damaged);
  EXPECT_EQ(sets[1].state_reason, "backup-2024-01-14-120000-attachments/a/f.bin: expected 5 bytes, found 7");
  EXPECT_EQ(sets[2].state, SetState::Complete);
  // Retention trusts only the complete one, and leaves damaged sets for a person.
  auto plan = plan_retention(sets, std::nullopt, local_time(2024, 3, 1), 7);
  ASSERT_TRUE(plan.reference);
  EXPECT_EQ(*plan.reference, "backup-2024-01-13-120000");
  for (const auto& d : plan.decisions) {
    EXPECT_FALSE(d.remove) << d.prefix;
    if (d.prefix != *plan.reference) {
      EXPECT_EQ(d.reason.rfind("damaged (", 0), 0u) << d.reason;
    }
  }
}

// A run killed with SIGKILL leaves its staging folder: list shows what it really holds.
TEST(BackupDir, LeftoverStagingFolderCountsWhatItHolds) {
  TempDir t;
  std::string crashed = "backup-2024-01-15-120000";
  fs::path staging = t.path / staging_name(crashed);
  write_file(staging / "lock", "99999\n");
  write_file(staging / "data.sql", std::string(300000, 'd'));
  write_file(staging / "attachments" / "x" / "y.bin", std::string(70000, 'a'));
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].state, SetState::Incomplete);
  EXPECT_EQ(sets[0].sql_bytes, 300006u);
  EXPECT_EQ(sets[0].attachments_bytes, 70000u);
  EXPECT_EQ(sets[0].attachment_files, 1u);
  EXPECT_NE(set_list_line(sets[0]).find(format_mb(370006)), std::string::npos) << set_list_line(sets[0]);
}

TEST(BackupDir, AFolderThatCannotBeListedIsAnErrorNotEmpty) {
  TempDir t;
  try {
    scan_backup_dir(t.path / "gone");
    FAIL() << "an unreadable folder listed as empty";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
    EXPECT_NE(std::string(e.what()).find((t.path / "gone").string()), std::string::npos) << e.what();
  }
}

TEST(Retention, DaysOutsideOneTo36500AreRefusedInWords) {
  EXPECT_EQ(retention_days_problem(1), "");
  EXPECT_EQ(retention_days_problem(36500), "");
  for (long long bad : {0LL, -3LL, 36501LL}) {
    auto why = retention_days_problem(bad);
    EXPECT_NE(why.find("from 1 to 36500"), std::string::npos) << why;
    EXPECT_EQ(why.find("e+"), std::string::npos) << why;
  }
}
