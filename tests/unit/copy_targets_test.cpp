// backup --copy-to without a server: which repositories the copies go to (flags, then
// BACKUP_COPY_TO split on whitespace and commas; bad, repeated or primary targets refused), and
// copy_set between two folder repositories: the same prefix and bytes, a damaged source part
// refused with nothing complete-looking left in the target.
#include <gtest/gtest.h>

#include <map>

#include "engine/errors.hpp"
#include "engine/format/human.hpp"
#include "engine/io/hash.hpp"
#include "engine/repo/copy_set.hpp"
#include "engine/repo/copy_targets.hpp"
#include "engine/repo/folder_repository.hpp"
#include "s3/config.hpp"
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

// A complete set in folder with a roles file and one attachment; returns its prefix.
std::string make_set(repo::FolderRepository& folder, const std::string& roles, const std::string& attachment) {
  auto w = folder.reserve(std::time(nullptr));
  const std::string prefix = w->prefix();
  crm::testsupport::write_file(w->staging_path("roles.sql"), roles);
  crm::testsupport::write_file(w->staging_path("attachments") / "deals" / "a.pdf", attachment);
  Manifest m;
  m.prefix = prefix;
  m.started_at = format_iso8601_utc(std::time(nullptr));
  m.files.push_back({prefix + "-roles.sql", "roles", roles.size(), xxh3_128_hex(roles)});
  m.attachments_included = true;
  m.bucket = "attachments";
  ManifestObject o;
  o.path = "deals/a.pdf";
  o.size = attachment.size();
  o.xxh3_128 = xxh3_128_hex(attachment);
  m.objects.push_back(o);
  w->commit(m);
  return prefix;
}

}  // namespace

TEST(CopyTargets, BackupCopyToIsSplitOnWhitespaceAndCommas) {
  EXPECT_EQ(repo::split_copy_targets(" s3://a/x/, /backups/two\t/backups/three,,\n"),
            (std::vector<std::string>{"s3://a/x/", "/backups/two", "/backups/three"}));
  EXPECT_TRUE(repo::split_copy_targets(" , ").empty());
}

TEST(CopyTargets, FlagsBeatTheEnvironmentAndEachTargetOpensLikeRepo) {
  crm::testsupport::TempDir primary_dir, a, b, c;
  repo::FolderRepository primary(primary_dir.path);
  auto env = kAws;
  env["BACKUP_COPY_TO"] = a.path.string() + ",s3://crm-copies/nightly";
  // BACKUP_REPO and BACKUP_DIR name the primary; they never redirect a copy.
  env["BACKUP_REPO"] = "s3://elsewhere/x";
  env["BACKUP_DIR"] = primary_dir.path.string();
  auto from_env = repo::open_copy_targets({}, primary, env_of(env));
  ASSERT_EQ(from_env.size(), 2u);
  EXPECT_TRUE(from_env[0]->is_folder());
  EXPECT_EQ(from_env[0]->display(), a.path.string());
  EXPECT_FALSE(from_env[1]->is_folder());
  EXPECT_EQ(from_env[1]->display(), "s3://crm-copies/nightly/");

  auto from_flags = repo::open_copy_targets({b.path.string(), (c.path / "new").string()}, primary, env_of(env));
  ASSERT_EQ(from_flags.size(), 2u);
  EXPECT_EQ(from_flags[0]->display(), b.path.string());
  // A missing folder is made, private.
  EXPECT_EQ(fs::status(c.path / "new").permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_TRUE(repo::open_copy_targets({}, primary, env_of(kAws)).empty());
}

TEST(CopyTargets, RelativeRepeatedOrPrimaryTargetsAreUsageErrors) {
  crm::testsupport::TempDir primary_dir, a;
  repo::FolderRepository primary(primary_dir.path);
  EXPECT_THROW(repo::open_copy_targets({"backups/rel"}, primary, env_of(kAws)), UsageError);
  EXPECT_THROW(repo::open_copy_targets({"ftp://x/y"}, primary, env_of(kAws)), UsageError);
  EXPECT_THROW(repo::open_copy_targets({a.path.string(), a.path.string()}, primary, env_of(kAws)), UsageError);
  EXPECT_THROW(repo::open_copy_targets({a.path.string(), a.path.string() + "/"}, primary, env_of(kAws)), UsageError);
  try {
    repo::open_copy_targets({primary_dir.path.string() + "/."}, primary, env_of(kAws));
    ADD_FAILURE() << "the primary repository was accepted as its own copy";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("the repository the backup is written to"), std::string::npos) << e.what();
  }
  auto env = kAws;
  env["BACKUP_COPY_TO"] = "relative/path";
  try {
    repo::open_copy_targets({}, primary, env_of(env));
    ADD_FAILURE() << "a relative BACKUP_COPY_TO was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("BACKUP_COPY_TO"), std::string::npos) << e.what();
  }
}

TEST(CopySet, AFolderSetArrivesUnderItsPrefixWithTheSameBytes) {
  crm::testsupport::TempDir src_dir, dst_dir;
  repo::FolderRepository source(src_dir.path), target(dst_dir.path);
  const std::string prefix = make_set(source, "-- roles\n", "pdf bytes");
  auto set = source.find_set(prefix);
  int checks = 0;
  {
    auto w = target.reserve_named(prefix);
    EXPECT_EQ(w->prefix(), prefix);
    // The prefix is held while the copy runs.
    EXPECT_THROW(target.reserve_named(prefix), std::runtime_error);
    auto stats = repo::copy_set(source, set, *w, [&] { ++checks; });
    EXPECT_EQ(stats.files, 2u);
    EXPECT_EQ(stats.bytes, std::string("-- roles\npdf bytes").size());
  }
  EXPECT_GE(checks, 2) << "the interruption check did not run between parts";
  auto copied = target.find_set(prefix);
  EXPECT_EQ(copied.state, SetState::Complete) << copied.state_reason;
  EXPECT_EQ(crm::testsupport::read_file(copied.part("roles.sql")), "-- roles\n");
  EXPECT_EQ(crm::testsupport::read_file(dst_dir.path / (prefix + "-attachments") / "deals" / "a.pdf"), "pdf bytes");
  EXPECT_EQ(crm::testsupport::read_file(copied.part("manifest.json")),
            crm::testsupport::read_file(set.part("manifest.json")));
  // A set the target has is never overwritten.
  EXPECT_THROW(target.reserve_named(prefix), std::runtime_error);
}

TEST(CopySet, ADamagedSourcePartIsRefusedAndLeavesNothingInTheTarget) {
  crm::testsupport::TempDir src_dir, dst_dir;
  repo::FolderRepository source(src_dir.path), target(dst_dir.path);
  const std::string prefix = make_set(source, "-- roles\n", "pdf bytes");
  // Same size, other bytes: only the hash tells.
  crm::testsupport::write_file(src_dir.path / (prefix + "-attachments") / "deals" / "a.pdf", "pdf bytez");
  auto set = source.find_set(prefix);
  try {
    auto w = target.reserve_named(prefix);
    repo::copy_set(source, set, *w, [] {});
    ADD_FAILURE() << "a damaged part was copied";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("deals/a.pdf"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not match its manifest"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dst_dir.path));
}
