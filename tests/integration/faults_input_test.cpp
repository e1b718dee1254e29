// Bad input: BACKUP_DIR a file, unwritable, on a read-only filesystem; malformed prefixes; a
// service key missing, malformed or rejected; object names that try to escape, very long
// names, names differing only in case or unicode normalisation; a manifest that is malformed
// or lies. Each: a clear, specific error, exit code 2 (usage) or 1 (failure), never a crash
// (no exit >= 128), never a write outside the set, the database untouched.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <filesystem>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/io/hash.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"
#include "tests/support/fault_helpers.hpp"
#include "tests/support/storage_server.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
using crm::sandbox::PgCluster;

namespace {

const std::string kKey = "faults-input-service-key";

class FaultsInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = crm::sandbox::start_crm_cluster(2, 41).release();
    storage_root_ = new ts::TempFolder();
    crm::testing::generate_bucket(fs::path(storage_root_->path), "attachments", 12, 1, 41, false);
    storage_ = crm::testing::StorageServer::start(fs::path(storage_root_->path), kKey).release();
    dir_ = new ts::TempFolder();
    auto r = env().run({"backup", "--no-retention"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    prefix_ = crm::engine::scan_backup_dir(dir_->path).front().name.prefix;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }
  static ts::CliEnv env(const std::string& dir = "") {
    return {dir.empty() ? dir_->path : dir, cluster_->url(), storage_->url(), kKey, {}};
  }
  static std::map<std::string, std::string> checksums() {
    return ts::table_checksums(*cluster_, "postgres", "^(public|auth|storage)$");
  }
  // A refused command: the expected exit code, no crash, the words that say what is wrong.
  static void expect_refused(const crm::sandbox::ProcessResult& r, int code, const std::string& words,
                             const std::string& what) {
    EXPECT_EQ(r.exit_code, code) << what << "\n" << r.out << r.err;
    EXPECT_LT(r.exit_code, 128) << what << ": crashed\n" << r.err;
    EXPECT_NE((r.out + r.err).find(words), std::string::npos) << what << ": expected '" << words << "' in\n"
                                                             << r.out << r.err;
  }
  static void copy_set(const std::string& to) {
    for (const auto& e : fs::directory_iterator(dir_->path))
      fs::copy(e.path(), fs::path(to) / e.path().filename(), fs::copy_options::recursive);
  }

  static PgCluster* cluster_;
  static crm::testing::StorageServer* storage_;
  static ts::TempFolder* storage_root_;
  static ts::TempFolder* dir_;
  static std::string prefix_;
};
PgCluster* FaultsInput::cluster_ = nullptr;
crm::testing::StorageServer* FaultsInput::storage_ = nullptr;
ts::TempFolder* FaultsInput::storage_root_ = nullptr;
ts::TempFolder* FaultsInput::dir_ = nullptr;
std::string FaultsInput::prefix_;

}  // namespace

TEST_F(FaultsInput, BackupDirThatIsAFileOrCannotBeCreated) {
  ts::TempFolder t;
  fs::path file = fs::path(t.path) / "a-file";
  ts::spit(file, "not a folder");
  for (const char* cmd : {"backup", "list", "prune"}) {
    expect_refused(env(file.string()).run({cmd}), 2, "exists but is not a directory", std::string(cmd) + " into a file");
  }
  expect_refused(env((file / "below").string()).run({"backup"}), 2, "Cannot create the backup directory",
                 "BACKUP_DIR below a file");
  EXPECT_EQ(ts::slurp(file), "not a folder");
  EXPECT_EQ(ts::dir_entries(t.path), std::vector<std::string>{"a-file"});
}

TEST_F(FaultsInput, UnwritableBackupDirIsRefusedForAnUnprivilegedUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to the nobody user";
  if (crm::sandbox::find_program("setpriv").empty()) GTEST_SKIP() << "setpriv (util-linux) not installed";
  ts::TempFolder t;
  ::chmod(t.path.c_str(), 0755);  // root's, readable by nobody, not writable
  std::vector<std::string> argv = {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                   ts::cli_binary(), "backup", "--no-attachments"};
  crm::sandbox::ProcessOptions o;
  o.env = {{"BACKUP_DIR", t.path}, {"SUPABASE_DB_URL", cluster_->url()}};
  o.unset_env = {"SUPABASE_SERVICE_ROLE_KEY", "DATABASE_URL"};
  auto probe = crm::sandbox::run_process({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                          ts::cli_binary(), "--help"});
  if (probe.exit_code != 0) GTEST_SKIP() << "nobody cannot run the binary here: " << probe.err;
  auto r = crm::sandbox::run_process(argv, o);
  // A permission problem (errno EACCES, exit 1) that says whose folder it is and who ran it.
  expect_refused(r, 1, "Backup directory is not writable: " + t.path, "unwritable BACKUP_DIR");
  EXPECT_NE(r.err.find("belongs to root (uid 0) with mode 0755, and this command runs as nobody"), std::string::npos)
      << r.err;
  EXPECT_TRUE(ts::dir_entries(t.path).empty());
  // A folder it would have to create inside an unwritable one.
  o.env["BACKUP_DIR"] = t.path + "/sub";
  r = crm::sandbox::run_process(argv, o);
  expect_refused(r, 1, "Cannot create the backup directory", "BACKUP_DIR under an unwritable folder");
  EXPECT_TRUE(ts::dir_entries(t.path).empty());
}

TEST_F(FaultsInput, ReadOnlyFilesystemRefusesBackupButStillListsAndRestores) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting needs root";
  ts::TempFolder t;
  if (mount(dir_->path.c_str(), t.path.c_str(), nullptr, MS_BIND, nullptr) != 0)
    GTEST_SKIP() << "bind mount refused here: " << strerror(errno);
  struct Unmount {
    std::string p;
    ~Unmount() { umount2(p.c_str(), MNT_DETACH); }
  } unmount{t.path};
  if (mount(nullptr, t.path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
    GTEST_SKIP() << "read-only remount refused here: " << strerror(errno);
  auto before = ts::dir_entries(dir_->path);
  expect_refused(env(t.path).run({"backup"}), 2, "Backup directory is not writable: " + t.path, "read-only BACKUP_DIR");
  // Reading is fine: list shows the set, restore would only read (checked without --yes).
  auto r = env(t.path).run({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(prefix_), std::string::npos) << r.out;
  r = env(t.path).run({"prune"});
  EXPECT_LT(r.exit_code, 128) << r.err;
  EXPECT_EQ(before, ts::dir_entries(dir_->path));
}

TEST_F(FaultsInput, MalformedPrefixesAreUsageErrors) {
  auto before = checksums();
  const std::vector<std::string> bad = {
      "backup-2024-13-45-999999",  "backup-2024-01-01",       "../" + prefix_,  prefix_ + "/../../etc",
      "backup-2024-01-01-000000\n", std::string(5000, 'b'),  "-",              "backup-2024-01-01-00000a",
      "backup-0000-00-00-000000",  "backup-2024-02-30-120000"};
  for (const auto& p : bad) {
    auto r = env().run({"restore", p, "--yes"});
    EXPECT_EQ(r.exit_code, 2) << "'" << p.substr(0, 60) << "'\n" << r.out << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("Restoring database"), std::string::npos) << r.out;
  }
  auto r = env().run({"restore", "", "--yes"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(ts::diff_maps(before, checksums()), "");
  // Junk that looks like sets does not break list.
  ts::TempFolder t;
  copy_set(t.path);
  ts::spit(fs::path(t.path) / "backup-garbage-roles.sql", "x");
  ts::spit(fs::path(t.path) / "backup-9999-99-99-999999-roles.sql", "x");
  fs::create_directories(fs::path(t.path) / "backup-2024-01-01-000000-roles.sql");
  ts::spit(fs::path(t.path) / "backup-2024-01-02-000000-manifest.json", "{\"format_version\": 1");
  r = env(t.path).run({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(prefix_), std::string::npos) << r.out;
  r = env(t.path).run({"list", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (auto days : {"-1", "0", "abc", "99999999999999"}) {
    r = env(t.path).run({"prune", "--dry-run", "--retention-days", days});
    EXPECT_EQ(r.exit_code, 2) << days << ": " << r.out << r.err;
  }
}

TEST_F(FaultsInput, ServiceKeyMissingMalformedOrRejected) {
  ts::TempFolder t;
  auto e = env(t.path);
  e.service_key.clear();
  expect_refused(e.run({"backup"}), 2, "no storage service key", "missing key");
  for (std::string k : {"two words", "line\nbreak", "tab\there"}) {
    e.service_key = k;
    expect_refused(e.run({"backup"}), 2, "contains whitespace or a line break", "malformed key");
  }
  e.service_key = "Rejected-Key-0001";
  auto r = e.run({"backup"});
  expect_refused(r, 1, "storage rejected the service key", "rejected key");
  EXPECT_EQ((r.out + r.err).find("Rejected-Key-0001"), std::string::npos);
  e.service_key = kKey;
  e.storage_url = "ftp://127.0.0.1/storage/v1";
  expect_refused(e.run({"backup"}), 2, "must start with http:// or https://", "bad storage URL");
  EXPECT_TRUE(ts::dir_entries(t.path).empty());
}

TEST_F(FaultsInput, ObjectNamesThatTryToEscapeFailTheBackupAndWriteNothingOutside) {
  ts::TempFolder root, parent;
  crm::testing::generate_bucket(fs::path(root.path), "attachments", 4, 0.1, 42, false);
  auto server = crm::testing::StorageServer::start(fs::path(root.path), kKey);
  const std::vector<std::string> hostile = {"../escaped-1.txt", "a/../../escaped-2.txt", "/tmp/escaped-3.txt",
                                            std::string("nul\0escaped-4.txt", 17), "dir//escaped-5.txt",
                                            std::string(300, 'L') + "-escaped-6.txt", "x/" + std::string(4100, 'p')};
  for (const auto& n : hostile) server->put_raw("attachments", n, "evil bytes");
  fs::path dir = fs::path(parent.path) / "backups";
  ts::CliEnv e{dir.string(), cluster_->url(), server->url(), kKey, {}};
  auto r = e.run({"backup", "--no-retention"});
  expect_refused(r, 1, "attachment(s) could not be backed up", "hostile names");
  std::string msg = r.out + r.err;
  for (const auto& n : {"../escaped-1.txt", "a/../../escaped-2.txt", "/tmp/escaped-3.txt", "dir//escaped-5.txt"})
    EXPECT_NE(msg.find(std::string("    ") + n + ": refusing object"), std::string::npos) << n << "\n" << msg.substr(0, 3000);
  EXPECT_NE(msg.find("NUL"), std::string::npos) << msg;
  EXPECT_TRUE(crm::engine::scan_backup_dir(dir).empty());
  EXPECT_EQ(ts::dir_entries(parent.path), std::vector<std::string>{"backups"});
  EXPECT_TRUE(ts::dir_entries(dir.string()).empty()) << ::testing::PrintToString(ts::dir_entries(dir.string()));
  EXPECT_FALSE(fs::exists("/tmp/escaped-3.txt"));
  for (const auto& p : fs::recursive_directory_iterator(parent.path))
    EXPECT_EQ(p.path().string().find("escaped"), std::string::npos) << p.path();
}

TEST_F(FaultsInput, NamesDifferingOnlyInCaseOrNormalisationAndLongNamesRoundTrip) {
  ts::TempFolder src_root, dst_root, dir;
  crm::testing::generate_bucket(fs::path(src_root.path), "attachments", 1, 0.01, 43, false);
  auto src = crm::testing::StorageServer::start(fs::path(src_root.path), kKey);
  const std::map<std::string, std::string> names = {
      {"Case/Report.pdf", "upper"},     {"case/report.pdf", "lower"},        {"CASE/REPORT.PDF", "shout"},
      {"caf\xc3\xa9.txt", "nfc"},       {"cafe\xcc\x81.txt", "nfd"},         {std::string(240, 'n') + ".bin", "long segment"},
      {"d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/deep.txt", "deep"}};
  for (const auto& [n, body] : names) src->put_raw("attachments", n, body);
  ts::CliEnv e{dir.path, cluster_->url(), src->url(), kKey, {}};
  auto r = e.run({"backup", "--no-retention"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto sets = crm::engine::scan_backup_dir(dir.path);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(ts::complete_sets_that_do_not_verify(dir.path), "");
  fs::path att = sets[0].part("attachments");
  for (const auto& [n, body] : names) EXPECT_EQ(ts::slurp(att / n), body) << n;
  // Restore into an empty bucket: every name the server accepts comes back byte for byte;
  // the ones it refuses for new keys (non-ASCII) are named, with exit code 3.
  crm::testing::generate_bucket(fs::path(dst_root.path), "attachments", 1, 0.01, 44, false);
  auto dst = crm::testing::StorageServer::start(fs::path(dst_root.path), kKey);
  ts::CliEnv d{dir.path, cluster_->url(), dst->url(), kKey, {}};
  r = d.run({"restore", sets[0].name.prefix, "--yes"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.out << r.err;
  auto listing = ts::bucket_listing(dst->url(), kKey);
  for (const auto& [n, body] : names) {
    bool ascii = std::all_of(n.begin(), n.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) {
      ASSERT_TRUE(listing.count(n)) << n << "\n" << r.out << r.err;
      EXPECT_EQ(listing[n].substr(0, listing[n].find(' ')), std::to_string(body.size())) << n;
    } else if (!listing.count(n)) {
      EXPECT_EQ(r.exit_code, 3);
      EXPECT_NE((r.out + r.err).find(n), std::string::npos) << n << " not named:\n" << r.out << r.err;
    }
  }
}

TEST_F(FaultsInput, MalformedOrLyingManifestsAreRefusedBeforeTheDatabaseIsTouched) {
  cluster_->psql("UPDATE public.tags SET name = name || ' later' WHERE id = (SELECT min(id) FROM public.tags)");
  auto before = checksums();
  const fs::path mpath = fs::path(dir_->path) / (prefix_ + "-manifest.json");
  const std::string original = ts::slurp(mpath);
  auto m0 = crm::engine::parse_manifest(original, "m");
  ASSERT_FALSE(m0.objects.empty());
  struct Case {
    std::string name, words;
    std::function<std::string()> manifest;
    std::function<void(const fs::path&)> extra;
  };
  auto with = [&](std::function<void(crm::engine::Manifest&)> f) {
    return [=]() {
      auto m = m0;
      f(m);
      return crm::engine::manifest_to_json(m);
    };
  };
  std::vector<Case> cases = {
      {"truncated JSON", "malformed", [&] { return original.substr(0, original.size() / 2); }, nullptr},
      {"not JSON", "malformed", [] { return std::string("\x00\xff garbage", 10); }, nullptr},
      {"size lies", "size", with([](auto& m) { m.files[2].size += 1; }), nullptr},
      {"hash lies", "hash", with([](auto& m) { m.files[0].xxh3_128 = std::string(32, '0'); }), nullptr},
      {"object size lies", "size", with([](auto& m) { m.objects[0].size += 7; }), nullptr},
      {"count lies", "count", [&] {
         std::string s = original;
         size_t at = s.find("\"count\": ");
         s.replace(at, 9, "\"count\": 1");  // prepends a digit: a different count
         return s;
       }, nullptr},
      {"file name with ../", "outside the set", with([](auto& m) { m.files[0].name = "../../etc/passwd"; }), nullptr},
      // The outside file exists with the right size and hash: it must still not be read or uploaded.
      {"object path with ../", "cannot be inside the set",
       with([](auto& m) {
         m.objects[0].path = "../outside-secret.bin";
         m.objects[0].size = 13;
         m.objects[0].xxh3_128 = crm::engine::xxh3_128_hex("outside bytes");
       }),
       [](const fs::path& d) { ts::spit(d / "outside-secret.bin", "outside bytes"); }},
      {"absolute object path", "cannot be inside the set", with([](auto& m) { m.objects[0].path = "/etc/hostname"; }),
       nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ts::TempFolder t;
    fs::path sets = fs::path(t.path) / "sets";
    fs::create_directories(sets);
    copy_set(sets.string());
    ts::spit(sets / (prefix_ + "-manifest.json"), c.manifest());
    if (c.extra) c.extra(sets);  // next to <prefix>-attachments/: where "../x" points
    auto r = env(sets.string()).run({"restore", prefix_, "--yes"});
    EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(c.words), std::string::npos) << r.out << r.err;
    EXPECT_EQ(r.out.find("Restoring database"), std::string::npos) << r.out;
    EXPECT_EQ(ts::diff_maps(before, checksums()), "");
    auto l = env(sets.string()).run({"list"});
    EXPECT_EQ(l.exit_code, 0) << l.out << l.err;
    EXPECT_EQ(ts::bucket_listing(storage_->url(), kKey).count("../outside-secret.bin"), 0u);
  }
}
