// The S3 repository end to end, as a user runs it: backup --repo s3://..., list, verify and
// restore against s3rver (a real S3 implementation), compared with server-computed table
// checksums and the buckets' own listings; kill -9 at points spread over a backup; prune and a
// second backup next to a live lock; retries and a clean failure against the S3 fault server;
// no secret in any output; uploads overlapping the dump: parts in flight within the budget, a
// failure mid-run that aborts them, errors naming the attachment.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <map>
#include <regex>
#include <sstream>
#include <set>

#include "engine/backupset/set_name.hpp"
#include "engine/io/hash.hpp"
#include "engine/repo/s3_repository.hpp"
#include "engine/backupset/verify_files.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/process.hpp"
#include "fixtures/sandbox/s3_server.hpp"
#include "fixtures/sandbox/storage_server.hpp"
#include "s3/client.hpp"
#include "storage-api/client.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"

using namespace crm;
using crm::sandbox::S3Server;

namespace {

const char* kDataSchemas = "^(public|auth|storage)$";
const std::string kSecret = "repo-secret-Q7w/+x9";
const std::string kSessionToken = "repo-session-token-FwoGZXIvYXdzE";

S3Server::Options s3_options() {
  S3Server::Options o;
  o.secret_key = kSecret;
  return o;
}

// Whether a JSON document (as the CLI prints it, over several lines) has an object whose
// "prefix" is followed by the given field and value.
bool json_has(const std::string& json, const std::string& prefix, const std::string& field, const std::string& value) {
  return std::regex_search(json, std::regex("\"prefix\": \"" + prefix + "\",\\s*\"" + field + "\": " + value));
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

class S3RepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = sandbox::start_crm_cluster(3, 11).release();
    storage_root_ = new testsupport::TempFolder();
    sandbox::generate_bucket(storage_root_->path, "attachments", 30, 4, 11, false);
    storage_ = sandbox::StorageServer::start({.root = storage_root_->path}).release();
    s3_ = S3Server::start_s3rver(s3_options()).release();
  }
  static void TearDownTestSuite() {
    delete s3_;
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }

  // Each test its own prefix, so the tests hold under --gtest_shuffle.
  std::string repo_url() const {
    return "s3://" + s3_->options().bucket + "/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
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
    testsupport::CliEnv e{"", cluster_->url(), storage_->url(), storage_->key(), aws_env(s)};
    e.extra["BACKUP_REPO"] = repo_url();
    return e;
  }
  testsupport::CliEnv env() const { return env(*s3_); }

  s3::S3Config s3_config(const S3Server& s) const {
    s3::S3Config c;
    c.location = s3::parse_location(repo_url());
    c.credentials = {s.options().access_key, s.options().secret_key, "", "test"};
    c.region = s.options().region;
    c.endpoint = s.url();
    c.url_style = s3::UrlStyle::kPath;
    c.retry_base_ms = 10;
    c.retry_max_ms = 100;
    return c;
  }
  engine::repo::S3Repository repository() const {
    engine::repo::S3RepositoryOptions o;
    o.config = s3_config(*s3_);
    return engine::repo::S3Repository(o);
  }
  // key below the repository root -> size
  std::map<std::string, std::uint64_t> stored_objects() const {
    s3::Client c(s3_config(*s3_));
    std::map<std::string, std::uint64_t> out;
    std::string root = c.key_for("");
    for (const auto& o : c.list_all(root)) out[o.key.substr(root.size())] = o.size;
    return out;
  }
  std::map<std::string, std::string> checksums() const {
    return testsupport::table_checksums(*cluster_, "postgres", kDataSchemas);
  }
  std::map<std::string, std::string> bucket() const {
    return testsupport::bucket_listing(storage_->url(), storage_->key());
  }
  static void expect_no_secret(const sandbox::ProcessResult& r) {
    for (const auto* text : {&r.out, &r.err}) {
      EXPECT_EQ(text->find(kSecret), std::string::npos) << "the S3 secret key was printed";
      EXPECT_EQ(text->find(kSessionToken), std::string::npos) << "the session token was printed";
      EXPECT_EQ(text->find(storage_->key()), std::string::npos) << "the service key was printed";
    }
  }

  static sandbox::PgCluster* cluster_;
  static sandbox::StorageServer* storage_;
  static testsupport::TempFolder* storage_root_;
  static S3Server* s3_;
};
sandbox::PgCluster* S3RepositoryTest::cluster_ = nullptr;
sandbox::StorageServer* S3RepositoryTest::storage_ = nullptr;
testsupport::TempFolder* S3RepositoryTest::storage_root_ = nullptr;
S3Server* S3RepositoryTest::s3_ = nullptr;

}  // namespace

TEST_F(S3RepositoryTest, BackupListVerifyAndRestoreGiveBackTheSource) {
  auto e = env();
  e.extra["AWS_SESSION_TOKEN"] = kSessionToken;
  auto b = e.run({"backup", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  expect_no_secret(b);
  EXPECT_NE(b.err.find("upload: "), std::string::npos) << "no upload progress: " << b.err;
  EXPECT_NE(b.err.find(" uploaded, 0 already stored"), std::string::npos) << b.err;

  auto repo = repository();
  auto sets = repo.list_sets();
  ASSERT_EQ(sets.size(), 1u);
  const auto& set = sets.front();
  ASSERT_EQ(set.state, engine::SetState::Complete) << set.state_reason;
  ASSERT_TRUE(set.manifest);
  const std::string prefix = set.name.prefix;
  EXPECT_NE(b.out.find("\"prefix\": \"" + prefix + "\""), std::string::npos) << b.out;

  // The bucket holds exactly the manifest's files, one blob per distinct attachment content
  // (named by its hash), and the manifest; no lock is left behind.
  std::map<std::string, std::uint64_t> expected = {
      {prefix + "-manifest.json", stored_objects()[prefix + "-manifest.json"]}};
  for (const auto& f : set.manifest->files) expected[f.name] = f.size;
  for (const auto& o : set.manifest->objects) expected["blobs/" + o.xxh3_128] = o.size;
  EXPECT_EQ(stored_objects(), expected);
  EXPECT_EQ(set.manifest->objects.size(), bucket().size());
  // No secret was written to the set either.
  {
    s3::Client c(s3_config(*s3_));
    for (const auto& [name, size] : expected) {
      if (name.rfind("blobs/", 0) == 0) continue;  // the bucket's own files
      std::string body;
      c.get_object(c.key_for(name), [&](std::string_view d) { body.append(d); });
      EXPECT_EQ(body.find(kSecret), std::string::npos) << name;
      EXPECT_EQ(body.find(kSessionToken), std::string::npos) << name;
      EXPECT_EQ(body.find(storage_->key()), std::string::npos) << name;
    }
  }

  // Parts read back as streams match the manifest's hashes: the data file and an attachment
  // (read from its blob).
  for (const auto& [name, hash] : std::map<std::string, std::string>{
           {set.manifest->file_with_role("data")->name, set.manifest->file_with_role("data")->xxh3_128},
           {prefix + "-attachments/" + set.manifest->objects.front().path, set.manifest->objects.front().xxh3_128}}) {
    auto reader = repo.open_part(set, name);
    std::string bytes;
    char buf[65536];
    for (std::size_t n; (n = reader->read(buf, sizeof buf)) > 0;) bytes.append(buf, n);
    EXPECT_EQ(engine::xxh3_128_hex(bytes), hash) << name;
  }

  auto list = e.run({"list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(json_has(list.out, prefix, "state", "\"complete\"")) << list.out;
  EXPECT_NE(list.out.find(repo_url()), std::string::npos) << list.out;
  auto verify = e.run({"verify", prefix});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("\u2713 Backup " + prefix + " verified"), std::string::npos) << verify.out;
  expect_no_secret(list);
  expect_no_secret(verify);

  // Damage the database and the bucket, then restore from S3 only.
  auto before = checksums();
  auto bucket_before = bucket();
  cluster_->psql("UPDATE public.contacts SET first_name = 'damaged'; DELETE FROM public.tags");
  storage::StorageConfig cfg{.base_url = storage_->url(), .service_key = storage_->key()};
  storage::StorageClient(cfg).delete_objects({bucket_before.begin()->first});
  ASSERT_NE(checksums(), before);
  auto r = e.run({"restore", prefix, "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_no_secret(r);
  EXPECT_EQ(testsupport::diff_maps(before, checksums()), "");
  EXPECT_EQ(testsupport::diff_maps(bucket_before, bucket()), "");
  // The restore's temporary copy is gone.
  EXPECT_EQ(stored_objects(), expected);
}

TEST_F(S3RepositoryTest, DamagedPartInTheBucketFailsVerifyAndRestore) {
  auto e = env();
  auto b = e.run({"backup", "--no-attachments"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto repo = repository();
  auto set = repo.list_sets().front();
  ASSERT_EQ(set.state, engine::SetState::Complete);
  const std::string key_name = set.name.prefix + "-schema.sql";
  s3::Client c(s3_config(*s3_));
  std::string body;
  c.get_object(c.key_for(key_name), [&](std::string_view d) { body.append(d); });
  body[body.size() / 2] ^= 0x20;  // same size: only the hash tells
  c.put_object(c.key_for(key_name), body);
  auto verify = e.run({"verify", set.name.prefix, "--json"});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(key_name), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("\"code\": \"damaged_set\""), std::string::npos) << verify.out;
  auto before = checksums();
  auto r = e.run({"restore", set.name.prefix, "--yes", "--no-attachments"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(testsupport::diff_maps(before, checksums()), "");
}

TEST_F(S3RepositoryTest, KilledBackupsLeaveNoCompleteLookingSetAndTheNextRunCleansUp) {
  auto e = env();
  auto first = e.run({"backup", "--no-retention"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // Timed on a run like the killed ones: every attachment already stored.
  auto t0 = std::chrono::steady_clock::now();
  auto timed = e.run({"backup", "--no-retention"});
  ASSERT_EQ(timed.exit_code, 0) << timed.out << timed.err;
  const double full_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const std::string good = repository().list_sets().front().name.prefix;

  int killed = 0;
  std::set<std::string> verified;
  const int points = 20;
  for (int point = 1; point <= points; ++point) {
    pid_t pid = fork();
    if (pid == 0) {
      setenv("SUPABASE_DB_URL", cluster_->url().c_str(), 1);
      setenv("SUPABASE_STORAGE_URL", storage_->url().c_str(), 1);
      setenv("SUPABASE_SERVICE_ROLE_KEY", storage_->key().c_str(), 1);
      unsetenv("BACKUP_DIR");
      setenv("BACKUP_REPO", repo_url().c_str(), 1);
      for (const auto& [k, v] : aws_env(*s3_)) setenv(k.c_str(), v.c_str(), 1);
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::string bin = testsupport::cli_binary();
      execl(bin.c_str(), bin.c_str(), "backup", "--no-retention", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Points spread over a whole run: connecting, dumping, downloading, uploading, committing.
    usleep(static_cast<useconds_t>(full_ms * point / (points + 1) * 1000));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed;
    auto repo = repository();
    for (const auto& s : repo.list_sets()) {
      if (s.state != engine::SetState::Complete || !verified.insert(s.name.prefix).second) continue;
      auto local = repo.local_set(s, true);
      EXPECT_TRUE(engine::verify_set_files(local->set()).empty()) << s.name.prefix << " looks complete but is not";
    }
  }
  EXPECT_GE(killed, 10);  // most points fall inside a run (a loaded machine slows the runs, not the clock)

  // A lock whose PUT the kill cut short may hold no readable body (s3rver keeps what arrived),
  // so it is not known to name a dead process: it is cleaned once stale, as on any store.
  e.extra["BACKUP_REPO_LOCK_HEARTBEAT_SECONDS"] = "1";
  e.extra["BACKUP_REPO_LOCK_STALE_SECONDS"] = "2";
  sleep(3);
  auto next = e.run({"backup", "--no-retention", "--no-attachments"});
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  for (const auto& s : repository().list_sets())
    EXPECT_EQ(s.state, engine::SetState::Complete) << s.name.prefix << ": " << s.state_reason;
  for (const auto& [name, size] : stored_objects())
    EXPECT_NE(name.rfind(".locks/", 0), 0u) << "a lock was left behind: " << name;
  auto verify = e.run({"verify", good});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(S3RepositoryTest, PruneAndBackupNeverDeleteASetUnderALiveLock) {
  auto e = env();
  s3::Client c(s3_config(*s3_));
  // A backup from long ago that is still writing (its lock names this live process), and one
  // whose writer is gone (a reaped child's pid on this host).
  const std::string live = "backup-2020-01-01-000000", dead = "backup-2020-01-02-000000";
  c.put_object(c.key_for(".locks/" + live + ".json"),
               "{\"prefix\": \"" + live + "\", \"host\": \"" + host_name() + "\", \"pid\": " +
                   std::to_string(getpid()) + "}");
  c.put_object(c.key_for(live + "-roles.sql"), "-- roles\n");
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  c.put_object(c.key_for(".locks/" + dead + ".json"),
               "{\"prefix\": \"" + dead + "\", \"host\": \"" + host_name() + "\", \"pid\": " + std::to_string(gone) + "}");
  c.put_object(c.key_for(dead + "-roles.sql"), "-- roles\n");

  auto listed = e.run({"list", "--json"});
  EXPECT_TRUE(json_has(listed.out, live, "state", "\"in progress\"")) << listed.out;
  EXPECT_TRUE(json_has(listed.out, dead, "state", "\"incomplete\"")) << listed.out;

  auto b = e.run({"backup", "--no-attachments", "--retention-days", "1"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto p = e.run({"prune", "--retention-days", "1"});
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
  EXPECT_NE(p.out.find("Kept " + live + ": a backup is writing it now"), std::string::npos) << p.out;
  auto objects = stored_objects();
  EXPECT_TRUE(objects.count(live + "-roles.sql"));
  EXPECT_TRUE(objects.count(".locks/" + live + ".json"));
  EXPECT_FALSE(objects.count(dead + "-roles.sql")) << "the crashed backup's parts stayed";
  EXPECT_FALSE(objects.count(".locks/" + dead + ".json"));
}

TEST_F(S3RepositoryTest, PruneRemovesTheManifestFirstAndOldSetsOnly) {
  auto e = env();
  auto b1 = e.run({"backup", "--no-attachments", "--no-retention"});
  ASSERT_EQ(b1.exit_code, 0) << b1.out << b1.err;
  // Age the first set: rewrite its manifest's start one year back.
  auto repo = repository();
  auto old = repo.list_sets().front();
  engine::Manifest m = *old.manifest;
  m.started_at = "2020-06-01T00:00:00Z";
  s3::Client c(s3_config(*s3_));
  c.put_object(c.key_for(old.name.prefix + "-manifest.json"), engine::manifest_to_json(m));
  auto b2 = e.run({"backup", "--no-attachments", "--no-retention"});
  ASSERT_EQ(b2.exit_code, 0) << b2.out << b2.err;
  auto p = e.run({"prune", "--retention-days", "30", "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
  EXPECT_TRUE(json_has(p.out, old.name.prefix, "delete", "true")) << p.out;
  auto sets = repository().list_sets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_NE(sets.front().name.prefix, old.name.prefix);
  for (const auto& [name, size] : stored_objects()) EXPECT_NE(name.rfind(old.name.prefix, 0), 0u) << name;
}

TEST_F(S3RepositoryTest, RetriesThrottledPartsAndFailsCleanlyWhenTheStoreKeepsFailing) {
  auto faults = S3Server::start_fault_server(s3_options());
  // A bucket with objects above the multipart threshold, so parts are uploaded.
  testsupport::TempFolder root;
  sandbox::generate_bucket(root.path, "attachments", 3, 24, 5, false);
  auto big_storage = sandbox::StorageServer::start({.root = root.path});
  auto e = env(*faults);
  e.storage_url = big_storage->url();
  e.service_key = big_storage->key();

  faults->fault("part", "slowdown", 2);
  auto ok = e.run({"backup", "--no-retention"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_GT(faults->stat("requests.part"), 2);
  EXPECT_EQ(faults->stat("faults.part.slowdown"), 2);
  s3::Client c(s3_config(*faults));
  const std::string root_key = c.key_for("");
  // The set's own objects and locks; blobs a failed run stored whole stay until prune sweeps them.
  auto count_objects = [&] {
    std::size_t n = 0;
    for (const auto& ob : c.list_all(root_key)) n += ob.key.rfind(root_key + "blobs/", 0) != 0;
    return n;
  };
  const auto after_good = count_objects();

  // New content, so the failing run has parts to upload (stored blobs are not sent again).
  testsupport::TempFolder other_root;
  sandbox::generate_bucket(other_root.path, "attachments", 3, 24, 6, false);
  auto other_storage = sandbox::StorageServer::start({.root = other_root.path});
  e.storage_url = other_storage->url();
  e.service_key = other_storage->key();
  const auto blobs_before = [&] {
    engine::repo::S3RepositoryOptions o;
    o.config = s3_config(*faults);
    return engine::repo::S3Repository(o).blob_sizes();
  }();
  faults->fault("part", "error500", -1);
  auto bad = e.run({"backup", "--no-retention", "--json"});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  // 500 after the retries: an error answer from the store, not a network failure.
  EXPECT_NE(bad.out.find("\"code\": \"repository_error\""), std::string::npos) << bad.out;
  EXPECT_GT(faults->stat("aborted"), 0) << "the failed multipart upload was not aborted";
  faults->reset_faults();
  expect_no_secret(bad);
  // Nothing of the failed run stays: the parts and the lock were removed.
  EXPECT_EQ(count_objects(), after_good);
  engine::repo::S3RepositoryOptions o;
  o.config = s3_config(*faults);
  engine::repo::S3Repository repo(o);
  const auto blobs_after = repo.blob_sizes();
  for (const auto& [hash, size] : blobs_before) EXPECT_TRUE(blobs_after.count(hash)) << "blob " << hash << " of the good set";
  auto sets = repo.list_sets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets.front().state, engine::SetState::Complete);
}

// Objects below the repository root that are not attachment blobs (a set's parts, locks).
static std::vector<std::string> set_objects(const s3::S3Config& cfg) {
  s3::Client c(cfg);
  const std::string root = c.key_for("");
  std::vector<std::string> out;
  for (const auto& ob : c.list_all(root))
    if (ob.key.rfind(root + "blobs/", 0) != 0) out.push_back(ob.key.substr(root.size()));
  return out;
}

TEST_F(S3RepositoryTest, PartsOfLargeFilesGoSeveralAtOnceWithinTheTransferBudget) {
  auto faults = S3Server::start_fault_server(s3_options());
  // Attachments of several 8 MiB parts each, so one file alone could fill every slot.
  testsupport::TempFolder root;
  sandbox::generate_bucket(root.path, "attachments", 3, 90, 7, false);
  auto big_storage = sandbox::StorageServer::start({.root = root.path});
  auto e = env(*faults);
  e.storage_url = big_storage->url();
  e.service_key = big_storage->key();
  e.extra["BACKUP_REPO_TRANSFERS"] = "2";
  faults->fault("part", "slow", -1);  // every part held 500 ms, so parts sent together overlap
  auto r = e.run({"backup", "--no-retention"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Two files at once, each with one part of its own in flight, plus a shared budget of two.
  EXPECT_GE(faults->stat("max_in_flight.part"), 3) << "the parts of a large file went one at a time";
  EXPECT_LE(faults->stat("max_in_flight.part"), 4) << "more parts in flight than the memory budget allows";
  EXPECT_EQ(faults->stat("open_uploads"), 0);
  faults->reset_faults();  // (the counts too)
  engine::repo::S3RepositoryOptions o;
  o.config = s3_config(*faults);
  auto sets = engine::repo::S3Repository(o).list_sets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets.front().state, engine::SetState::Complete) << sets.front().state_reason;
  auto v = e.run({"verify", sets.front().name.prefix});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(S3RepositoryTest, ABackupFailingWhileUploadsAreInFlightAbortsThemAndLeavesNoSet) {
  auto faults = S3Server::start_fault_server(s3_options());
  testsupport::TempFolder root;
  sandbox::generate_bucket(root.path, "attachments", 4, 200, 8, false);
  auto big_storage = sandbox::StorageServer::start({.root = root.path});
  // One download at a time (no retries): the first two fail, the third (the seed makes it
  // ~190 MiB) lands and starts its upload, whose slow parts are in flight while the fourth
  // takes 2 s; then the backup fails for the first two.
  big_storage->admin_post(
      "faults", R"({"fail_first":2,"fail_status":500,"delay_every":4,"delay_ms":2000,"scope":"objects"})");
  auto e = env(*faults);
  e.storage_url = big_storage->url();
  e.service_key = big_storage->key();
  faults->fault("part", "slow", -1);
  auto r = e.run({"backup", "--no-retention", "--transfers", "1", "--retries", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("attachment(s) failed"), std::string::npos) << r.out << r.err;
  ASSERT_GT(faults->stat("requests.part"), 0) << "no upload had started when the backup failed\n" << r.out << r.err;
  EXPECT_GT(faults->stat("aborted"), 0) << "the multipart uploads in flight were not aborted";
  EXPECT_EQ(faults->stat("open_uploads"), 0) << "a multipart upload was left open";
  faults->reset_faults();
  for (const auto& name : set_objects(s3_config(*faults))) ADD_FAILURE() << "left behind: " << name;
  engine::repo::S3RepositoryOptions o;
  o.config = s3_config(*faults);
  EXPECT_TRUE(engine::repo::S3Repository(o).list_sets().empty());
}

TEST_F(S3RepositoryTest, AnUploadThatKeepsFailingStopsTheBackupNamingTheAttachment) {
  auto faults = S3Server::start_fault_server(s3_options());
  testsupport::TempFolder root;
  sandbox::generate_bucket(root.path, "attachments", 2, 40, 9, false);
  auto big_storage = sandbox::StorageServer::start({.root = root.path});
  auto e = env(*faults);
  e.storage_url = big_storage->url();
  e.service_key = big_storage->key();
  faults->fault("part", "error500", -1);
  auto r = e.run({"backup", "--no-retention"});
  faults->reset_faults();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // The attachment's path in the set and the blob it was going to: what the user can look up.
  EXPECT_TRUE(std::regex_search(r.out + r.err, std::regex("cannot upload backup-[0-9-]+-attachments/.+ \\(as "
                                                                "blobs/[0-9a-f]{32}\\)")))
      << r.out << r.err;
  EXPECT_EQ(faults->stat("open_uploads"), 0);
  for (const auto& name : set_objects(s3_config(*faults))) ADD_FAILURE() << "left behind: " << name;
  expect_no_secret(r);
}

TEST_F(S3RepositoryTest, WrongSecretIsARepositoryAuthErrorWithoutTheSecret) {
  auto faults = S3Server::start_fault_server(s3_options());
  auto e = env(*faults);
  e.extra["AWS_SECRET_ACCESS_KEY"] = "not-the-" + kSecret;
  auto r = e.run({"list", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\"code\": \"repository_auth\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(kSecret), std::string::npos);
  EXPECT_EQ(r.err.find(kSecret), std::string::npos);
}

TEST_F(S3RepositoryTest, UnchangedBucketUploadsNoAttachmentBytes) {
  auto faults = S3Server::start_fault_server(s3_options());
  auto e = env(*faults);
  e.extra["BACKUP_REPO_BLOB_GRACE_SECONDS"] = "1";
  auto uploads = [&] { return faults->stat("requests.put") + faults->stat("requests.part"); };

  auto timed_run = [&](std::vector<std::string> args, const char* property) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = e.run(args);
    // Recorded for people (gtest XML), never asserted: speed is measured in bench/.
    RecordProperty(property, static_cast<int>(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()));
    return r;
  };
  auto first = timed_run({"backup", "--no-retention"}, "first_backup_ms");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const long first_uploads = uploads();
  engine::repo::S3RepositoryOptions o;
  o.config = s3_config(*faults);
  engine::repo::S3Repository repo(o);
  const auto blobs_after_first = repo.blob_sizes();
  const std::size_t attachments = bucket().size();
  ASSERT_GT(attachments, 10u);
  EXPECT_EQ(blobs_after_first.size(), repo.list_sets().front().manifest->objects.size());

  auto second = timed_run({"backup", "--no-retention"}, "unchanged_backup_ms");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  const long second_uploads = uploads() - first_uploads;
  RecordProperty("first_backup_upload_requests", static_cast<int>(first_uploads));
  RecordProperty("unchanged_backup_upload_requests", static_cast<int>(second_uploads));
  // The lock, five SQL files and the manifest; not one attachment.
  EXPECT_LE(second_uploads, 8) << second.out;
  EXPECT_NE(second.out.find("0 uploaded, " + std::to_string(attachments) + " already stored"), std::string::npos)
      << second.out;
  // Nor downloaded: the listing says they are unchanged and their blobs are stored.
  EXPECT_NE(second.out.find("Reusing " + std::to_string(attachments) + " unchanged files; downloading 0"),
            std::string::npos)
      << second.out;
  // --full downloads every attachment again, and still uploads none.
  auto full = e.run({"backup", "--no-retention", "--full"});
  ASSERT_EQ(full.exit_code, 0) << full.out << full.err;
  EXPECT_EQ(full.out.find("Reusing "), std::string::npos) << full.out;
  EXPECT_NE(full.out.find("0 uploaded, " + std::to_string(attachments) + " already stored"), std::string::npos)
      << full.out;
  EXPECT_EQ(repo.blob_sizes(), blobs_after_first);
  auto sets = repo.list_sets();
  ASSERT_EQ(sets.size(), 3u);
  for (const auto& s : sets) {
    EXPECT_EQ(s.state, engine::SetState::Complete) << s.state_reason;
    EXPECT_EQ(s.attachment_files, attachments);
    // Every attachment is shared: deleting one set frees only its SQL files.
    EXPECT_EQ(s.unshared_disk_bytes, s.sql_bytes);
  }

  EXPECT_EQ(repo.blob_sizes(), blobs_after_first);
  for (const auto& s : repo.list_sets()) {
    auto v = e.run({"verify", s.name.prefix});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }
}

// On s3rver, whose object times are real (the fault server dates every object 2026-01-01).
TEST_F(S3RepositoryTest, PruneSweepsOrphanBlobsButNotWhileABackupRuns) {
  auto e = env();
  e.extra["BACKUP_REPO_BLOB_GRACE_SECONDS"] = "1";
  auto b = e.run({"backup", "--no-retention"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto repo = repository();
  const auto blobs = repo.blob_sizes();
  ASSERT_FALSE(blobs.empty());
  // An orphan blob, as a killed backup leaves it.
  s3::Client c(s3_config(*s3_));
  const std::string orphan = c.key_for("blobs/00000000000000000000000000000001");
  c.put_object(orphan, "orphan bytes");
  const std::string live_lock = c.key_for(".locks/backup-2020-01-01-000000.json");
  c.put_object(live_lock, "{\"host\": \"" + host_name() + "\", \"pid\": " + std::to_string(getpid()) + "}");
  sleep(2);
  auto kept = e.run({"prune"});
  ASSERT_EQ(kept.exit_code, 0) << kept.out << kept.err;
  EXPECT_NE(kept.err.find("a backup is running"), std::string::npos) << kept.err;
  EXPECT_TRUE(c.head_object(orphan));
  EXPECT_TRUE(c.head_object(live_lock));
  c.delete_object(live_lock);
  auto swept = e.run({"prune"});
  ASSERT_EQ(swept.exit_code, 0) << swept.out << swept.err;
  EXPECT_NE(swept.err.find("removed 1 attachment blob(s)"), std::string::npos) << swept.err;
  EXPECT_FALSE(c.head_object(orphan));
  EXPECT_EQ(repo.blob_sizes(), blobs);
  const auto set = repo.list_sets().front();
  auto v = e.run({"verify", set.name.prefix});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  // A blob damaged in the bucket (same size): verify, hashing the attachments as streams from
  // the bucket, names the attachment.
  const auto& victim = set.manifest->objects.back();
  std::string bytes;
  c.get_object(c.key_for("blobs/" + victim.xxh3_128), [&](std::string_view d) { bytes.append(d); });
  ASSERT_FALSE(bytes.empty());
  bytes[0] ^= 0x01;
  c.put_object(c.key_for("blobs/" + victim.xxh3_128), bytes);
  auto bad = e.run({"verify", set.name.prefix});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("downloading its SQL files"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find(set.name.prefix + "-attachments/" + victim.path + ": hash"), std::string::npos) << bad.out;
}

// A set written by the tool is readable with a standard client: the AWS CLI lists the same
// objects at the same sizes, and the manifest it downloads names the set.
TEST_F(S3RepositoryTest, AwsCliSeesTheObjectsAndSizesTheToolWrote) {
  std::string aws = sandbox::find_program("aws");
  if (aws.empty()) GTEST_SKIP() << "the AWS CLI is not installed (apt-get install awscli): interop not checked";
  auto b = env().run({"backup", "--no-retention"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  const auto set = repository().list_sets().front();
  sandbox::ProcessOptions po;
  po.env = {{"AWS_ACCESS_KEY_ID", s3_->options().access_key},
            {"AWS_SECRET_ACCESS_KEY", s3_->options().secret_key},
            {"AWS_DEFAULT_REGION", "us-east-1"},
            {"AWS_CONFIG_FILE", "/dev/null"},
            {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}};
  po.timeout_seconds = 120;
  auto ls = sandbox::run_process({aws, "s3", "ls", "--recursive", "--endpoint-url", s3_->url(), repo_url()}, po);
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  // "2026-12-03 14:45:42     123456 PREFIX/key"
  const std::string root = s3::parse_location(repo_url()).prefix;
  std::map<std::string, std::uint64_t> listed;
  std::istringstream lines(ls.out);
  for (std::string date, time, key; lines >> date >> time;) {
    std::uint64_t size = 0;
    lines >> size >> std::ws;
    std::getline(lines, key);
    ASSERT_EQ(key.rfind(root, 0), 0u) << key;
    listed[key.substr(root.size())] = size;
  }
  EXPECT_EQ(listed, stored_objects());
  auto cat = sandbox::run_process(
      {aws, "s3", "cp", "--endpoint-url", s3_->url(), repo_url() + set.name.prefix + "-manifest.json", "-"}, po);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(engine::parse_manifest(cat.out, "aws s3 cp").prefix, set.name.prefix);
}

// The source bucket changes between two backups: the second backup stores nothing new and
// each set restores its own bucket state, from blobs shared between them.
TEST_F(S3RepositoryTest, EachSetRestoresItsOwnBucketAfterTheBucketChanged) {
  auto e = env();
  const auto original = bucket();
  ASSERT_GT(original.size(), 2u);
  auto b1 = e.run({"backup", "--no-retention"});
  ASSERT_EQ(b1.exit_code, 0) << b1.out << b1.err;
  const std::string gone = original.begin()->first;
  storage::StorageConfig cfg{.base_url = storage_->url(), .service_key = storage_->key()};
  storage::StorageClient(cfg).delete_objects({gone});
  const auto changed = bucket();
  ASSERT_EQ(changed.size() + 1, original.size());
  auto b2 = e.run({"backup", "--no-retention"});
  ASSERT_EQ(b2.exit_code, 0) << b2.out << b2.err;
  EXPECT_NE(b2.out.find("0 uploaded, " + std::to_string(changed.size()) + " already stored"), std::string::npos)
      << b2.out;
  auto sets = repository().list_sets();  // newest first
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].manifest->objects.size(), changed.size());
  EXPECT_EQ(sets[1].manifest->objects.size(), original.size());

  auto before = checksums();
  auto r2 = e.run({"restore", sets[0].name.prefix, "--yes"});
  ASSERT_EQ(r2.exit_code, 0) << r2.out << r2.err;
  EXPECT_EQ(testsupport::diff_maps(changed, bucket()), "");
  // The older set brings the deleted object back (and leaves the bucket as the suite found it).
  auto r1 = e.run({"restore", sets[1].name.prefix, "--yes"});
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  EXPECT_EQ(testsupport::diff_maps(original, bucket()), "");
  EXPECT_EQ(testsupport::diff_maps(before, checksums()), "");
}
