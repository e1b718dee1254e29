// backup --copy-to end to end, as a user runs it: a folder primary copied to s3rver and to a
// second folder; restoring from the copy gives back the source (table checksums, catalog
// census, the bucket's own listing); a failing or unreachable target leaves the primary set
// complete, exits 4 and names the repository (also in --json); the next healthy run catches
// up the missed sets; retention works on each repository apart; kill -9 during a copy never
// leaves a complete-looking set in the target.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/verify_files.hpp"
#include "engine/repo/s3_repository.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/process.hpp"
#include "fixtures/sandbox/s3_server.hpp"
#include "fixtures/sandbox/storage_server.hpp"
#include "s3/client.hpp"
#include "storage-api/client.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"
#include "tests/support/fault_helpers.hpp"

using namespace crm;
using crm::sandbox::S3Server;

namespace {

const char* kDataSchemas = "^(public|auth|storage)$";
const std::string kSecret = "copy-secret-Zk8/+q1";

S3Server::Options s3_options() {
  S3Server::Options o;
  o.secret_key = kSecret;
  return o;
}

std::set<std::string> prefixes(const std::vector<engine::SetInfo>& sets, engine::SetState state) {
  std::set<std::string> out;
  for (const auto& s : sets)
    if (s.state == state) out.insert(s.name.prefix);
  return out;
}

// Rewrites a folder set's manifest so the set looks a year old to retention.
void age_folder_set(const std::string& dir, const std::string& prefix) {
  const std::string path = dir + "/" + prefix + "-manifest.json";
  std::ifstream in(path);
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  const std::string aged = std::regex_replace(json, std::regex("\"started_at\": \"[^\"]*\""),
                                              "\"started_at\": \"2020-06-01T00:00:00Z\"");
  ASSERT_NE(aged, json) << "no started_at in " << path;
  std::ofstream(path, std::ios::trunc) << aged;
}

class CopyToTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = sandbox::start_crm_cluster(2, 17).release();
    storage_root_ = new testsupport::TempFolder();
    sandbox::generate_bucket(storage_root_->path, "attachments", 24, 3, 17, false);
    storage_ = sandbox::StorageServer::start({.root = storage_root_->path}).release();
    s3_ = S3Server::start_s3rver(s3_options()).release();
  }
  static void TearDownTestSuite() {
    delete s3_;
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }

  // Each test its own prefix in the S3 bucket and its own folders, so the tests hold under
  // --gtest_shuffle.
  std::string s3_url(const std::string& suffix = "") const {
    return "s3://" + s3_->options().bucket + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
           suffix + "/";
  }
  std::map<std::string, std::string> aws_env(const S3Server& s) const {
    return {{"AWS_ACCESS_KEY_ID", s.options().access_key},
            {"AWS_SECRET_ACCESS_KEY", s.options().secret_key},
            {"AWS_REGION", s.options().region},
            {"AWS_ENDPOINT_URL", s.url()},
            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"},
            {"AWS_CONFIG_FILE", "/nonexistent"}};
  }
  testsupport::CliEnv env(const S3Server& s) const {
    return testsupport::CliEnv{primary_.path, cluster_->url(), storage_->url(), storage_->key(), aws_env(s)};
  }
  testsupport::CliEnv env() const { return env(*s3_); }

  engine::repo::S3Repository s3_repository(const S3Server& s, const std::string& url) const {
    engine::repo::S3RepositoryOptions o;
    o.config.location = s3::parse_location(url);
    o.config.credentials = {s.options().access_key, s.options().secret_key, "", "test"};
    o.config.region = s.options().region;
    o.config.endpoint = s.url();
    o.config.url_style = s3::UrlStyle::kPath;
    return engine::repo::S3Repository(o);
  }
  std::vector<engine::SetInfo> primary_sets() const { return engine::scan_backup_dir(primary_.path); }
  // How many sets the primary folder has committed (a folder set's manifest is written last).
  std::size_t folder_manifests() const {
    std::size_t n = 0;
    for (const auto& f : std::filesystem::directory_iterator(primary_.path))
      if (f.path().filename().string().ends_with("-manifest.json")) ++n;
    return n;
  }

  std::map<std::string, std::string> checksums() const {
    return testsupport::table_checksums(*cluster_, "postgres", kDataSchemas);
  }
  std::map<std::string, std::string> census() const {
    return testsupport::catalog_census(*cluster_, "postgres", kDataSchemas);
  }
  std::map<std::string, std::string> bucket() const {
    return testsupport::bucket_listing(storage_->url(), storage_->key());
  }
  static void expect_no_secret(const sandbox::ProcessResult& r) {
    for (const auto* text : {&r.out, &r.err}) {
      EXPECT_EQ(text->find(kSecret), std::string::npos) << "the S3 secret key was printed";
      EXPECT_EQ(text->find(storage_->key()), std::string::npos) << "the service key was printed";
    }
  }
  // Every complete set of an S3 repository matches its manifest byte for byte.
  void expect_complete_sets_verify(engine::repo::S3Repository& repo) const {
    for (const auto& s : repo.list_sets()) {
      if (s.state != engine::SetState::Complete) continue;
      auto local = repo.local_set(s, true);
      EXPECT_TRUE(engine::verify_set_files(local->set()).empty()) << s.name.prefix << " looks complete but is not";
    }
  }

  testsupport::TempFolder primary_;
  static sandbox::PgCluster* cluster_;
  static sandbox::StorageServer* storage_;
  static testsupport::TempFolder* storage_root_;
  static S3Server* s3_;
};
sandbox::PgCluster* CopyToTest::cluster_ = nullptr;
sandbox::StorageServer* CopyToTest::storage_ = nullptr;
testsupport::TempFolder* CopyToTest::storage_root_ = nullptr;
S3Server* CopyToTest::s3_ = nullptr;

}  // namespace

TEST_F(CopyToTest, CopyToS3RestoresTheSourceAndUnchangedAttachmentsAreNotSentAgain) {
  auto e = env();
  auto b = e.run({"backup", "--copy-to", s3_url()});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  expect_no_secret(b);
  auto local = primary_sets();
  ASSERT_EQ(local.size(), 1u);
  ASSERT_EQ(local.front().state, engine::SetState::Complete);
  const std::string prefix = local.front().name.prefix;
  EXPECT_NE(b.out.find("Copying the backup to " + s3_url()), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\u2713 " + prefix + " copied"), std::string::npos) << b.out;

  auto copy = s3_repository(*s3_, s3_url());
  auto sets = copy.list_sets();
  ASSERT_EQ(sets.size(), 1u);
  ASSERT_EQ(sets.front().state, engine::SetState::Complete) << sets.front().state_reason;
  EXPECT_EQ(sets.front().name.prefix, prefix);
  ASSERT_TRUE(sets.front().manifest);
  // The copy records what the primary recorded: the same files and hashes, the same objects.
  const auto& original = *local.front().manifest;
  ASSERT_EQ(sets.front().manifest->files.size(), original.files.size());
  for (std::size_t i = 0; i < original.files.size(); ++i) {
    EXPECT_EQ(sets.front().manifest->files[i].name, original.files[i].name);
    EXPECT_EQ(sets.front().manifest->files[i].xxh3_128, original.files[i].xxh3_128);
  }
  EXPECT_EQ(sets.front().manifest->objects.size(), bucket().size());
  expect_complete_sets_verify(copy);
  auto verify = e.run({"verify", "--repo", s3_url(), prefix});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // A second backup of the unchanged bucket sends no attachment to the copy.
  auto again = e.run({"backup", "--no-retention", "--copy-to", s3_url()});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const std::size_t objects = bucket().size();
  EXPECT_NE(again.out.find("0 uploaded, " + std::to_string(objects) + " already stored"), std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find(std::to_string(objects) + " attachments already stored there"), std::string::npos)
      << again.out;

  // Damage the database and the bucket, then restore from the copy alone.
  const auto checksums_before = checksums();
  const auto census_before = census();
  const auto bucket_before = bucket();
  cluster_->psql("UPDATE public.contacts SET first_name = 'damaged'; DELETE FROM public.tags");
  storage::StorageConfig cfg{.base_url = storage_->url(), .service_key = storage_->key()};
  storage::StorageClient(cfg).delete_objects({bucket_before.begin()->first});
  ASSERT_NE(checksums(), checksums_before);
  auto r = e.run({"restore", "--repo", s3_url(), prefix, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_no_secret(r);
  EXPECT_EQ(testsupport::diff_maps(checksums_before, checksums()), "");
  EXPECT_EQ(testsupport::diff_maps(census_before, census()), "");
  EXPECT_EQ(testsupport::diff_maps(bucket_before, bucket()), "");
}

TEST_F(CopyToTest, CopyToASecondFolderFromTheEnvironmentGivesAVerifiedSet) {
  testsupport::TempFolder second, third;
  auto e = env();
  // BACKUP_COPY_TO takes several targets, separated by commas or whitespace.
  e.extra["BACKUP_COPY_TO"] = second.path + ", " + third.path + "/nested";
  auto b = e.run({"backup", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("\"ok\": true"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\"backup_completed\": true"), std::string::npos) << b.out;
  const std::string prefix = primary_sets().front().name.prefix;
  for (const std::string& dir : {second.path, third.path + "/nested"}) {
    auto sets = engine::scan_backup_dir(dir);
    ASSERT_EQ(sets.size(), 1u) << dir;
    EXPECT_EQ(sets.front().name.prefix, prefix);
    EXPECT_EQ(sets.front().state, engine::SetState::Complete) << sets.front().state_reason;
    EXPECT_TRUE(engine::verify_set_files(sets.front()).empty()) << dir;
    // An independent copy: no file shares its inode with the primary's.
    EXPECT_EQ(std::filesystem::hard_link_count(sets.front().part("roles.sql")), 1u);
    EXPECT_EQ(std::filesystem::status(dir).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_all);
    auto v = e.run({"verify", "--repo", dir, prefix});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }
  // The folder copy has the attachments in the folder layout, file for file.
  std::size_t files = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(second.path + "/" + prefix + "-attachments"))
    files += f.is_regular_file();
  EXPECT_EQ(files, bucket().size());
}

TEST_F(CopyToTest, FailingTargetExitsFourKeepsTheLocalSetAndTheNextRunCatchesUp) {
  auto faults = S3Server::start_fault_server(s3_options());
  auto e = env(*faults);
  const std::string target = s3_url();
  faults->fault("put", "error500", -1);
  auto bad = e.run({"backup", "--no-retention", "--copy-to", target});
  EXPECT_EQ(bad.exit_code, 4) << bad.out << bad.err;
  expect_no_secret(bad);
  EXPECT_NE(bad.out.find("\u2717 The copy to " + target + " failed: "), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("the next backup copies every backup " + target + " lacks"), std::string::npos) << bad.out;
  // The local set is complete and verifies.
  auto local = primary_sets();
  ASSERT_EQ(local.size(), 1u);
  const std::string missed = local.front().name.prefix;
  EXPECT_EQ(local.front().state, engine::SetState::Complete);
  auto v = e.run({"verify", missed});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  // And the target holds nothing that looks like a set.
  faults->reset_faults();
  auto copy = s3_repository(*faults, target);
  EXPECT_TRUE(prefixes(copy.list_sets(), engine::SetState::Complete).empty());

  // The same with --json: one object saying the backup is complete and the copy failed.
  faults->fault("put", "error500", -1);
  auto bad_json = e.run({"backup", "--no-retention", "--copy-to", target, "--json"});
  EXPECT_EQ(bad_json.exit_code, 4) << bad_json.out << bad_json.err;
  ASSERT_FALSE(bad_json.out.empty());
  // Exactly one JSON object on stdout (the human lines go to stderr).
  EXPECT_EQ(bad_json.out.front(), '{') << bad_json.out;
  EXPECT_EQ(bad_json.out.find("\n{"), std::string::npos) << bad_json.out;
  EXPECT_NE(bad_json.out.find("\"ok\": false"), std::string::npos) << bad_json.out;
  EXPECT_NE(bad_json.out.find("\"backup_completed\": true"), std::string::npos) << bad_json.out;
  EXPECT_NE(bad_json.out.find("\"code\": \"copy_failed\""), std::string::npos) << bad_json.out;
  EXPECT_NE(bad_json.out.find("\"exit_code\": 4"), std::string::npos) << bad_json.out;
  EXPECT_NE(bad_json.out.find("\"repository\": \"" + target + "\""), std::string::npos) << bad_json.out;
  EXPECT_NE(bad_json.err.find("\u2717 The copy to " + target), std::string::npos) << bad_json.err;
  faults->reset_faults();

  // Healthy again: the next backup pushes its own set and both missed ones.
  auto good = e.run({"backup", "--no-retention", "--copy-to", target});
  ASSERT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("Copying " + missed + " (missed by an earlier copy)"), std::string::npos) << good.out;
  auto all_local = prefixes(primary_sets(), engine::SetState::Complete);
  ASSERT_EQ(all_local.size(), 3u);
  EXPECT_EQ(prefixes(copy.list_sets(), engine::SetState::Complete), all_local);
  auto list = e.run({"list", "--repo", target, "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.out << list.err;
  for (const auto& p : all_local) EXPECT_NE(list.out.find("\"prefix\": \"" + p + "\""), std::string::npos) << list.out;
  expect_complete_sets_verify(copy);
}

TEST_F(CopyToTest, UnreachableTargetExitsFourNamingIt) {
  auto gone = S3Server::start_fault_server(s3_options());
  auto e = env(*gone);
  const std::string target = s3_url();
  gone->stop();  // nothing listens on its port any more
  auto bad = e.run({"backup", "--no-attachments", "--no-retention", "--copy-to", target, "--json"});
  EXPECT_EQ(bad.exit_code, 4) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("\"code\": \"copy_failed\""), std::string::npos) << bad.out;
  EXPECT_NE(bad.err.find("\u2717 The copy to " + target + " failed"), std::string::npos) << bad.err;
  auto local = primary_sets();
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local.front().state, engine::SetState::Complete);
  EXPECT_TRUE(engine::verify_set_files(local.front()).empty());
}

TEST_F(CopyToTest, RetentionAppliesToEachRepositoryApart) {
  testsupport::TempFolder target;
  auto e = env();
  auto b1 = e.run({"backup", "--no-attachments", "--no-retention", "--copy-to", target.path});
  ASSERT_EQ(b1.exit_code, 0) << b1.out << b1.err;
  auto b2 = e.run({"backup", "--no-attachments", "--no-retention", "--copy-to", target.path});
  ASSERT_EQ(b2.exit_code, 0) << b2.out << b2.err;
  auto sets = primary_sets();  // newest first
  ASSERT_EQ(sets.size(), 2u);
  const std::string s1 = sets[1].name.prefix, s2 = sets[0].name.prefix;
  // S1 is old in the primary only, S2 in the copy only.
  age_folder_set(primary_.path, s1);
  age_folder_set(target.path, s2);
  auto b3 = e.run({"backup", "--no-attachments", "--retention-days", "30", "--copy-to", target.path});
  ASSERT_EQ(b3.exit_code, 0) << b3.out << b3.err;
  const std::string s3 = primary_sets().front().name.prefix;
  EXPECT_EQ(prefixes(primary_sets(), engine::SetState::Complete), (std::set<std::string>{s2, s3}));
  // S1 now lives only in the copy, which the primary's retention never touches.
  EXPECT_EQ(prefixes(engine::scan_backup_dir(target.path), engine::SetState::Complete),
            (std::set<std::string>{s1, s3}));
  // Each repository says what its own retention did: the primary's before the copy, the
  // copy's after it.
  const auto copy_at = b3.out.find("Copying the backup to " + target.path);
  ASSERT_NE(copy_at, std::string::npos) << b3.out;
  EXPECT_LT(b3.out.find("Deleted " + s1), copy_at) << b3.out;
  const auto s2_deleted = b3.out.find("Deleted " + s2);
  EXPECT_NE(s2_deleted, std::string::npos) << b3.out;
  EXPECT_GT(s2_deleted, copy_at) << b3.out;
}

TEST_F(CopyToTest, KilledCopiesLeaveNoCompleteLookingSetAndTheNextRunCatchesUp) {
  auto e = env();
  // The copy target of the killed runs already holds the attachments' blobs, as a nightly
  // target does; the run timed for the kill points is like theirs.
  const std::string killed_target = s3_url();
  auto first = e.run({"backup", "--no-retention", "--copy-to", killed_target});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto t0 = std::chrono::steady_clock::now();
  auto timed = e.run({"backup", "--no-retention", "--full", "--copy-to", killed_target});
  ASSERT_EQ(timed.exit_code, 0) << timed.out << timed.err;
  double full_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // Two kinds of kill points. Timed ones, spread over the second half of a run, land wherever
  // the run happens to be (a run that ends before its point shortens the estimate, so a loaded
  // machine's timing cannot make every point miss). Event ones wait until the run's primary set
  // is committed (its manifest appears) and kill 0-45 ms later, so some kills fall inside the
  // copy however fast or slow the machine is; attempts go on until enough runs were killed.
  const int wanted = 8, points = 8;
  int killed = 0, killed_inside_a_copy = 0;
  for (int attempt = 0; attempt < 3 * points && (killed < wanted || killed_inside_a_copy == 0); ++attempt) {
    const bool after_commit = attempt % 2 == 1;
    const double fraction = 0.4 + 0.55 * (attempt % points + 1) / points;
    const std::size_t manifests_before = folder_manifests();
    const auto started = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      setenv("SUPABASE_DB_URL", cluster_->url().c_str(), 1);
      setenv("SUPABASE_STORAGE_URL", storage_->url().c_str(), 1);
      setenv("SUPABASE_SERVICE_ROLE_KEY", storage_->key().c_str(), 1);
      setenv("BACKUP_DIR", primary_.path.c_str(), 1);
      unsetenv("BACKUP_REPO");
      setenv("BACKUP_COPY_TO", killed_target.c_str(), 1);
      for (const auto& [k, v] : aws_env(*s3_)) setenv(k.c_str(), v.c_str(), 1);
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::string bin = testsupport::cli_binary();
      execl(bin.c_str(), bin.c_str(), "backup", "--no-retention", "--full", static_cast<char*>(nullptr));
      _exit(127);
    }
    auto kill_at = started + std::chrono::microseconds(static_cast<long>(full_ms * fraction * 1000));
    if (after_commit) kill_at = started + std::chrono::minutes(5);  // set when the commit is seen
    int status = 0;
    bool exited = false;
    while (std::chrono::steady_clock::now() < kill_at)
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        if (!after_commit)
          full_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        break;
      } else {
        if (after_commit && kill_at - started > std::chrono::minutes(1) && folder_manifests() > manifests_before)
          kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(15 * (attempt / 2 % 4));
        std::this_thread::sleep_for(std::chrono::milliseconds(after_commit ? 1 : 5));
      }
    if (!exited) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      if (WIFSIGNALED(status)) {
        ++killed;
        // Killed after its primary commit and before its copy's: a set the copy lacks (each
        // later run catches it up, so this is counted at once, not at the end).
        auto copied = prefixes(s3_repository(*s3_, killed_target).list_sets(), engine::SetState::Complete);
        for (const auto& p : prefixes(primary_sets(), engine::SetState::Complete))
          if (!copied.count(p)) {
            ++killed_inside_a_copy;
            break;
          }
      }
    }
    auto copy = s3_repository(*s3_, killed_target);
    expect_complete_sets_verify(copy);
  }
  EXPECT_GE(killed, wanted);
  EXPECT_GT(killed_inside_a_copy, 0) << "no kill fell inside a copy";

  // A lock whose PUT the kill cut short may hold no readable body (s3rver keeps what arrived),
  // so it is not known to name a dead process: it is cleaned once stale, as on any store.
  e.extra["BACKUP_REPO_LOCK_HEARTBEAT_SECONDS"] = "1";
  e.extra["BACKUP_REPO_LOCK_STALE_SECONDS"] = "2";
  sleep(3);
  auto next = e.run({"backup", "--no-retention", "--no-attachments", "--copy-to", killed_target});
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  auto copy = s3_repository(*s3_, killed_target);
  for (const auto& s : copy.list_sets())
    EXPECT_EQ(s.state, engine::SetState::Complete) << s.name.prefix << ": " << s.state_reason;
  // Every complete set of the primary reached the copy, and no lock was left behind.
  EXPECT_EQ(prefixes(copy.list_sets(), engine::SetState::Complete),
            prefixes(primary_sets(), engine::SetState::Complete));
  s3::Client c(s3_repository(*s3_, killed_target).options().config);
  for (const auto& o : c.list_all(c.key_for(".locks/"))) {
    std::string body;
    c.get_object(o.key, [&](std::string_view d) { body.append(d); });
    ADD_FAILURE() << "a lock was left behind: " << o.key << " " << body;
  }

  expect_complete_sets_verify(copy);
}

// The other direction: an S3 primary (attachments as blobs) copied to a folder, which gets the
// folder layout and a manifest without the blob layout, and verifies and lists like any set.
TEST_F(CopyToTest, S3PrimaryCopiedToAFolderGetsTheFolderLayout) {
  testsupport::TempFolder target;
  auto e = env();
  auto b = e.run({"backup", "--repo", s3_url(), "--no-retention", "--copy-to", target.path});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  expect_no_secret(b);
  auto primary = s3_repository(*s3_, s3_url());
  auto sets = primary.list_sets();
  ASSERT_EQ(sets.size(), 1u);
  const std::string prefix = sets.front().name.prefix;
  auto copied = engine::scan_backup_dir(target.path);
  ASSERT_EQ(copied.size(), 1u);
  EXPECT_EQ(copied.front().name.prefix, prefix);
  ASSERT_EQ(copied.front().state, engine::SetState::Complete) << copied.front().state_reason;
  EXPECT_FALSE(copied.front().manifest->options.count("attachments_layout"));
  EXPECT_TRUE(engine::verify_set_files(copied.front()).empty());
  EXPECT_EQ(copied.front().attachment_files, bucket().size());
  // The copy's attachment files are the bucket's bytes, hashed as the S3 set recorded them.
  EXPECT_EQ(copied.front().manifest->objects.size(), sets.front().manifest->objects.size());
  auto v = e.run({"verify", "--repo", target.path, prefix});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// SIGTERM while a copy waits out a failing store: the run stops (128+15) saying the backup is
// complete, the primary set verifies, the target holds nothing complete-looking, and the next
// healthy run copies the set. (The S3 client has no cancel hook, so this stop is the guard's
// last-resort exit after its grace period; its note is the one asserted here.)
TEST_F(CopyToTest, SigtermDuringACopyLeavesTheBackupCompleteAndTheNextRunCopiesIt) {
  auto faults = S3Server::start_fault_server(s3_options());
  const std::string target = s3_url();
  faults->fault("put", "error500", -1);
  auto e = env(*faults);
  testsupport::BackgroundCli cli(e, {"backup", "--no-retention", "--no-attachments", "--copy-to", target});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (cli.running() && std::chrono::steady_clock::now() < deadline &&
         cli.output().find("Copying backup-") == std::string::npos)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // inside the store's retries
  ASSERT_TRUE(cli.running()) << cli.output();
  cli.kill_with(SIGTERM);
  EXPECT_EQ(cli.wait(), 128 + SIGTERM) << cli.output();
  EXPECT_NE(cli.output().find(" is complete in " + primary_.path), std::string::npos) << cli.output();
  auto local = primary_sets();
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local.front().state, engine::SetState::Complete);
  EXPECT_TRUE(engine::verify_set_files(local.front()).empty());
  faults->reset_faults();
  auto copy = s3_repository(*faults, target);
  EXPECT_TRUE(prefixes(copy.list_sets(), engine::SetState::Complete).empty());

  auto next = e.run({"backup", "--no-retention", "--no-attachments", "--copy-to", target});
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_EQ(prefixes(copy.list_sets(), engine::SetState::Complete),
            prefixes(primary_sets(), engine::SetState::Complete));
}
