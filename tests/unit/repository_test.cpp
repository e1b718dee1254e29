// The repository layer without a server: which repository a command gets, the folder
// repository behind the interface (reserve, commit, read a part, remove), lock object names.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "engine/backupset/set_name.hpp"
#include "engine/errors.hpp"
#include "engine/format/human.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/open_repository.hpp"
#include "engine/repo/s3_lock.hpp"
#include "engine/repo/s3_repository.hpp"
#include "tests/support/files.hpp"

using namespace crm::engine;
namespace fs = std::filesystem;

namespace {

crm::s3::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kAws = {{"AWS_ACCESS_KEY_ID", "AKIAEXAMPLE0000ABCD"},
                                                 {"AWS_SECRET_ACCESS_KEY", "unit-secret"},
                                                 {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
                                                 {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"},
                                                 {"AWS_CONFIG_FILE", "/nonexistent"}};

std::string read_all(repo::PartReader& r) {
  std::string out;
  char buf[7];  // small on purpose: reads must continue where they stopped
  for (std::size_t n; (n = r.read(buf, sizeof buf)) > 0;) out.append(buf, n);
  return out;
}

}  // namespace

// BACKUP_DIR itself is read by resolve_backup_dir from the process environment (its messages
// are the old scripts'); the CLI tests cover it.
TEST(RepositorySelection, FlagsBeatBackupRepoAndBackupRepoNamesTheS3Repository) {
  crm::testsupport::TempDir a, b;
  auto r = repo::open_repository({.backup_dir_flag = a.path.string()}, false, env_of(kAws));
  EXPECT_TRUE(r->is_folder());
  EXPECT_EQ(r->display(), a.path.string());

  auto with_repo = kAws;
  with_repo["BACKUP_DIR"] = a.path.string();
  with_repo["BACKUP_REPO"] = "s3://crm-backups/nightly";
  r = repo::open_repository({}, false, env_of(with_repo));
  EXPECT_FALSE(r->is_folder());
  EXPECT_EQ(r->display(), "s3://crm-backups/nightly/");

  // --backup-dir names the folder even when BACKUP_REPO is set; --repo may name a folder.
  r = repo::open_repository({.backup_dir_flag = b.path.string()}, false, env_of(with_repo));
  EXPECT_EQ(r->display(), b.path.string());
  r = repo::open_repository({.repo_flag = b.path.string()}, false, env_of(with_repo));
  EXPECT_TRUE(r->is_folder());
  EXPECT_EQ(r->display(), b.path.string());
}

TEST(RepositorySelection, ConflictsAndBadSettingsAreUsageErrors) {
  crm::testsupport::TempDir a;
  EXPECT_THROW(repo::open_repository({.repo_flag = "s3://b/p", .backup_dir_flag = a.path.string()}, false, env_of(kAws)),
               UsageError);
  EXPECT_THROW(repo::open_repository({.repo_flag = a.path.string(), .url_style = crm::s3::UrlStyle::kPath}, false,
                                     env_of(kAws)),
               UsageError);
  EXPECT_THROW(repo::open_repository({.repo_flag = "s3://"}, false, env_of(kAws)), UsageError);
  try {
    repo::open_repository({}, false, env_of({{"BACKUP_REPO", "backups/relative"}}));
    ADD_FAILURE() << "a relative BACKUP_REPO accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("BACKUP_REPO must be s3://BUCKET/PREFIX or an absolute folder path"),
              std::string::npos)
        << e.what();
  }
  auto stale = kAws;
  stale["BACKUP_REPO_LOCK_STALE_SECONDS"] = "30";  // not longer than the 60 s heartbeat
  EXPECT_THROW(repo::open_repository({.repo_flag = "s3://b/p"}, false, env_of(stale)), UsageError);
  // Without credentials the S3 configuration says so (and names no secret).
  try {
    repo::open_repository({.repo_flag = "s3://b/p"}, false,
                          env_of({{"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}, {"AWS_CONFIG_FILE", "/nonexistent"}}));
    ADD_FAILURE() << "no credentials accepted";
  } catch (const crm::s3::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("AWS_ACCESS_KEY_ID"), std::string::npos) << e.what();
  }
}

TEST(RepositorySelection, S3UrlStyleAndLockTimingAreApplied) {
  auto vars = kAws;
  vars["BACKUP_REPO_LOCK_HEARTBEAT_SECONDS"] = "5";
  vars["BACKUP_REPO_LOCK_STALE_SECONDS"] = "20";
  auto r = repo::open_repository({.repo_flag = "s3://crm-backups/x/", .url_style = crm::s3::UrlStyle::kVirtual}, false,
                                 env_of(vars));
  auto* s3 = dynamic_cast<repo::S3Repository*>(r.get());
  ASSERT_NE(s3, nullptr);
  EXPECT_EQ(s3->options().config.url_style, crm::s3::UrlStyle::kVirtual);
  EXPECT_EQ(s3->options().lock.heartbeat.count(), 5);
  EXPECT_EQ(s3->options().lock.stale_after.count(), 20);
  EXPECT_EQ(s3->options().config.describe().find("unit-secret"), std::string::npos);
}

TEST(FolderRepository, ReserveCommitReadAndRemoveKeepTheOldLayout) {
  crm::testsupport::TempDir dir;
  repo::FolderRepository folder(dir.path);
  EXPECT_TRUE(folder.capabilities().hard_links);
  std::string prefix;
  {
    auto w = folder.reserve(std::time(nullptr));
    prefix = w->prefix();
    crm::testsupport::write_file(w->staging_path("roles.sql"), "-- roles\nCREATE ROLE x;\n");
    EXPECT_EQ(w->final_location("roles.sql"), (dir.path / (prefix + "-roles.sql")).string());
    auto sets = folder.list_sets();
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_EQ(sets.front().state, SetState::InProgress);
    Manifest m;
    m.prefix = prefix;
    m.started_at = format_iso8601_utc(std::time(nullptr));
    m.files.push_back({prefix + "-roles.sql", "roles", 24, ""});
    w->commit(m);
  }
  EXPECT_TRUE(fs::exists(dir.path / (prefix + "-roles.sql")));
  EXPECT_TRUE(fs::exists(dir.path / (prefix + "-manifest.json")));
  auto set = folder.find_set(prefix);
  auto reader = folder.open_part(set, prefix + "-roles.sql");
  EXPECT_EQ(read_all(*reader), "-- roles\nCREATE ROLE x;\n");
  EXPECT_EQ(folder.local_set(set, true)->set().part("roles.sql"), set.part("roles.sql")) << "no copy for a folder";
  folder.remove_set(prefix);
  EXPECT_TRUE(folder.list_sets().empty());
}

TEST(FolderRepository, AReservationDroppedWithoutCommitLeavesNothing) {
  crm::testsupport::TempDir dir;
  repo::FolderRepository folder(dir.path);
  {
    auto w = folder.reserve(std::time(nullptr));
    crm::testsupport::write_file(w->staging_path("roles.sql"), "partial");
  }
  EXPECT_TRUE(fs::is_empty(dir.path));
}

TEST(S3Lock, LockNamesAreRecognisedOnlyForSetPrefixes) {
  EXPECT_EQ(repo::lock_prefix_of(".locks/backup-2024-01-15-143022.json"), "backup-2024-01-15-143022");
  EXPECT_EQ(repo::lock_prefix_of(".locks/backup-2024-01-15-143022"), "");
  EXPECT_EQ(repo::lock_prefix_of(".locks/notes.json"), "");
  EXPECT_EQ(repo::lock_prefix_of("backup-2024-01-15-143022-roles.sql"), "");
  std::string body = repo::lock_body("backup-2024-01-15-143022");
  EXPECT_NE(body.find("\"pid\": " + std::to_string(getpid())), std::string::npos) << body;
}
