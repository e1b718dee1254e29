// Retention on its worst day: the clock jumped back or forward, every set the same size, a
// folder holding only legacy sets or sets being written, the newest set unreadable. The rule
// under test: the last good set is never deleted, and nothing is deleted without a complete
// reference to compare against.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/backupset/retention.hpp"
#include "engine/backupset/set_name.hpp"
#include "engine/backupset/staging.hpp"
#include "engine/format/human.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/files.hpp"

using namespace crm::engine;
namespace fs = std::filesystem;

namespace {

using crm::testsupport::local_time;
using crm::testsupport::TempDir;
using crm::testsupport::write_file;

void make_set(const fs::path& dir, const std::string& prefix, size_t bytes, bool manifest = true) {
  Manifest m;
  m.tool_version = "test";
  m.prefix = prefix;
  m.server_version = "15";
  m.database = "postgresql://postgres:***@127.0.0.1:1/postgres";
  m.snapshot_time = m.started_at = m.finished_at = format_iso8601_utc(parse_prefix(prefix)->time);
  for (auto part : {"roles.sql", "schema.sql", "data.sql"}) {
    write_file(dir / (prefix + "-" + part), std::string(bytes, 'x'));
    m.files.push_back({prefix + "-" + part, part, bytes, "00"});
  }
  if (manifest) write_file(dir / (prefix + "-manifest.json"), manifest_to_json(m));
}

std::map<std::string, RetentionDecision> decide(const fs::path& dir, std::optional<std::string> ref, std::time_t now,
                                                int days = 7) {
  std::map<std::string, RetentionDecision> out;
  for (auto& d : plan_retention(scan_backup_dir(dir), ref, now, days).decisions) out[d.prefix] = d;
  return out;
}

}  // namespace

TEST(RetentionSafety, ClockJumpedBackKeepsEverySetDatedInTheFuture) {
  TempDir t;
  make_set(t.path, "backup-2024-03-01-120000", 10);
  make_set(t.path, "backup-2024-03-05-120000", 10);
  make_set(t.path, "backup-2024-03-09-120000", 10);
  // The machine's clock now says January: the just-made set is dated January too.
  make_set(t.path, "backup-2024-01-02-120000", 10);
  auto d = decide(t.path, std::string("backup-2024-01-02-120000"), local_time(2024, 1, 2, 13));
  ASSERT_EQ(d.size(), 4u);
  for (const auto& [p, dec] : d) EXPECT_FALSE(dec.remove) << p << ": " << dec.reason;
  EXPECT_NE(d["backup-2024-03-05-120000"].reason.find("future"), std::string::npos) << d["backup-2024-03-05-120000"].reason;
}

TEST(RetentionSafety, ClockJumpedFarForwardStillKeepsTheReferenceAndLargerSets) {
  TempDir t;
  make_set(t.path, "backup-2024-01-01-120000", 50);
  make_set(t.path, "backup-2024-01-02-120000", 5);
  make_set(t.path, "backup-2024-01-03-120000", 10);
  // prune run with the clock in 2031: every set is years old.
  auto d = decide(t.path, std::nullopt, local_time(2031, 6, 1));
  EXPECT_FALSE(d["backup-2024-01-03-120000"].remove) << "the newest complete set is the last good one";
  EXPECT_FALSE(d["backup-2024-01-01-120000"].remove) << "larger than the reference";
  EXPECT_TRUE(d["backup-2024-01-02-120000"].remove);
  apply_retention(t.path, plan_retention(scan_backup_dir(t.path), std::nullopt, local_time(2031, 6, 1), 7));
  // Again and again: prune converges, the reference always stays.
  for (int i = 0; i < 3; ++i)
    apply_retention(t.path, plan_retention(scan_backup_dir(t.path), std::nullopt, local_time(2031, 6, 1), 0));
  auto left = scan_backup_dir(t.path);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].name.prefix, "backup-2024-01-03-120000");
  EXPECT_EQ(left[0].state, SetState::Complete);
}

TEST(RetentionSafety, EqualSizesDeleteOnlyOldSetsAndNeverTheReference) {
  TempDir t;
  for (int day = 1; day <= 9; ++day) make_set(t.path, "backup-2024-01-0" + std::to_string(day) + "-120000", 42);
  // retention 0 days: every set but the reference is old enough; equal size is not "larger".
  auto plan = plan_retention(scan_backup_dir(t.path), std::nullopt, local_time(2024, 1, 20), 0);
  ASSERT_TRUE(plan.reference);
  EXPECT_EQ(*plan.reference, "backup-2024-01-09-120000");
  apply_retention(t.path, plan);
  auto left = scan_backup_dir(t.path);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].name.prefix, "backup-2024-01-09-120000");
  EXPECT_EQ(left[0].state, SetState::Complete);
}

TEST(RetentionSafety, OnlyLegacyOrInProgressSetsDeleteNothing) {
  TempDir t;
  make_set(t.path, "backup-2023-01-01T12-00-00", 10, false);
  make_set(t.path, "backup-2023-02-01-120000", 10, false);
  SetWriter live(t.path, local_time(2023, 3, 1));  // a backup being written right now
  write_file(live.staging_path("roles.sql"), "partial");
  auto sets = scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 3u);
  auto plan = plan_retention(sets, std::nullopt, local_time(2024, 1, 1), 7);
  EXPECT_FALSE(plan.reference);
  for (const auto& d : plan.decisions) EXPECT_FALSE(d.remove) << d.prefix;
  apply_retention(t.path, plan);
  EXPECT_EQ(scan_backup_dir(t.path).size(), 3u);
  // A backup reference that is not on disk (e.g. removed meanwhile) deletes nothing either.
  plan = plan_retention(sets, std::string("backup-2024-01-01-000000"), local_time(2024, 1, 1), 7);
  for (const auto& d : plan.decisions) EXPECT_FALSE(d.remove) << d.prefix;
}

TEST(RetentionSafety, NewestSetUnreadableOrIncompleteIsKeptAndTheLastGoodSetToo) {
  TempDir t;
  make_set(t.path, "backup-2024-01-01-120000", 10);
  make_set(t.path, "backup-2024-01-02-120000", 10);
  make_set(t.path, "backup-2024-01-10-120000", 10);
  write_file(t.path / "backup-2024-01-10-120000-manifest.json", "{ truncated");  // newest: unreadable
  make_set(t.path, "backup-2024-01-11-120000", 10);
  fs::remove(t.path / "backup-2024-01-11-120000-data.sql");  // newer still: a part is missing
  auto plan = plan_retention(scan_backup_dir(t.path), std::nullopt, local_time(2024, 2, 1), 7);
  ASSERT_TRUE(plan.reference);
  EXPECT_EQ(*plan.reference, "backup-2024-01-02-120000");
  std::map<std::string, bool> removed;
  for (const auto& d : plan.decisions) removed[d.prefix] = d.remove;
  EXPECT_FALSE(removed["backup-2024-01-10-120000"]);
  EXPECT_FALSE(removed["backup-2024-01-11-120000"]);
  EXPECT_FALSE(removed["backup-2024-01-02-120000"]);
  EXPECT_TRUE(removed["backup-2024-01-01-120000"]);
  apply_retention(t.path, plan);
  auto good = find_set(t.path, "backup-2024-01-02-120000");
  EXPECT_EQ(good.state, SetState::Complete);
}
