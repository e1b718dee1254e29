// Encryption at rest end to end, as a user runs it: encrypted backups to s3rver (a real S3
// implementation) and to a folder with --encrypt, then list without the passphrase, verify and
// restore, compared with server-computed table checksums, the catalog census and the bucket's
// own listing. Every stored object is scanned for plain text (SQL, the data's e-mail addresses,
// the attachments' bytes), with an unencrypted set as the control that the scan finds them.
// Wrong and missing passphrases, altered and swapped parts, and a passphrase change.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "fixtures/sandbox/fixture_loader.hpp"
#include "fixtures/sandbox/process.hpp"
#include "fixtures/sandbox/s3_server.hpp"
#include "fixtures/sandbox/storage_server.hpp"
#include "s3/client.hpp"
#include "storage-api/client.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"

using namespace crm;
namespace fs = std::filesystem;

namespace {

const char* kDataSchemas = "^(public|auth|storage)$";
const std::string kPassphrase = "correct horse battery staple, encrypted at rest";
const std::string kOtherPassphrase = "not the passphrase of this repository";

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Everything that must never be readable in an encrypted repository, by what it is.
struct PlainTextNeedles {
  std::vector<std::string> sql = {"CREATE TABLE", "COPY ", "INSERT INTO", "CREATE ROLE"};
  std::vector<std::string> emails;
  std::vector<std::string> attachment_windows;  // 32 distinctive bytes of each attachment
};

// "object: what it contains" for every needle found in one of the stored objects.
std::vector<std::string> plain_text_found(const std::map<std::string, std::string>& stored,
                                          const PlainTextNeedles& needles, const std::string& kind) {
  std::vector<std::string> found;
  const auto& list = kind == "sql" ? needles.sql : kind == "email" ? needles.emails : needles.attachment_windows;
  for (const auto& [name, bytes] : stored)
    for (const auto& n : list)
      if (bytes.find(n) != std::string::npos) found.push_back(name + " holds " + kind + " text");
  return found;
}

class EncryptionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = sandbox::start_crm_cluster(3, 13).release();
    storage_root_ = new testsupport::TempFolder();
    sandbox::generate_bucket(storage_root_->path, "attachments", 30, 4, 13, false);
    storage_ = sandbox::StorageServer::start({.root = storage_root_->path}).release();
    s3_ = sandbox::S3Server::start_s3rver({}).release();
  }
  static void TearDownTestSuite() {
    delete s3_;
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }

  void SetUp() override {
    backups_ = folder_.path + "/backups";
    passphrase_file_ = secret_file("passphrase", kPassphrase);
    other_passphrase_file_ = secret_file("other-passphrase", kOtherPassphrase);
  }

  std::string secret_file(const std::string& name, const std::string& text) const {
    std::string path = folder_.path + "/" + name;
    write_bytes(path, text + "\n");
    ::chmod(path.c_str(), 0600);
    return path;
  }

  // Each test its own prefix, so the tests hold under --gtest_shuffle.
  std::string repo_url() const {
    return "s3://" + s3_->options().bucket + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
  }
  s3::S3Config s3_config() const {
    s3::S3Config c;
    c.location = s3::parse_location(repo_url());
    c.credentials = {s3_->options().access_key, s3_->options().secret_key, "", "test"};
    c.region = s3_->options().region;
    c.endpoint = s3_->url();
    c.url_style = s3::UrlStyle::kPath;
    return c;
  }
  // A CLI environment for the S3 repository; passphrase_file "" configures none.
  testsupport::CliEnv s3_env(const std::string& passphrase_file) const {
    testsupport::CliEnv e{"", cluster_->url(), storage_->url(), storage_->key(), {}};
    e.extra = {{"AWS_ACCESS_KEY_ID", s3_->options().access_key},
               {"AWS_SECRET_ACCESS_KEY", s3_->options().secret_key},
               {"AWS_REGION", s3_->options().region},
               {"AWS_ENDPOINT_URL", s3_->url()},
               {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"},
               {"AWS_CONFIG_FILE", "/nonexistent"},
               {"BACKUP_REPO", repo_url()},
               {"CRMBACKUP_INSECURE_KDF_FOR_TESTS", "1"}};
    if (!passphrase_file.empty()) e.extra["CRMBACKUP_PASSPHRASE_FILE"] = passphrase_file;
    return e;
  }
  testsupport::CliEnv folder_env(const std::string& passphrase_file) const {
    testsupport::CliEnv e{backups_, cluster_->url(), storage_->url(), storage_->key(), {}};
    e.extra["CRMBACKUP_INSECURE_KDF_FOR_TESTS"] = "1";
    if (!passphrase_file.empty()) e.extra["CRMBACKUP_PASSPHRASE_FILE"] = passphrase_file;
    return e;
  }

  // A folder repository's environment that can also reach the S3 server (a --copy-to target).
  testsupport::CliEnv with_s3_credentials(testsupport::CliEnv e) const {
    for (const auto& [k, v] : s3_env("").extra)
      if (k.rfind("AWS_", 0) == 0) e.extra[k] = v;
    return e;
  }
  // Every object under the test's prefix: name below the root -> bytes.
  std::map<std::string, std::string> s3_objects() const {
    s3::Client c(s3_config());
    const std::string root = c.key_for("");
    std::map<std::string, std::string> out;
    for (const auto& o : c.list_all(root)) {
      std::string body;
      c.get_object(o.key, [&](std::string_view d) { body.append(d); });
      out[o.key.substr(root.size())] = std::move(body);
    }
    return out;
  }
  // Every file under the backup folder, hidden ones included: relative path -> bytes.
  std::map<std::string, std::string> folder_files() const {
    std::map<std::string, std::string> out;
    for (const auto& f : fs::recursive_directory_iterator(backups_))
      if (f.is_regular_file()) out[fs::relative(f.path(), backups_).string()] = read_bytes(f.path());
    return out;
  }
  void put_s3_object(const std::string& name, const std::string& bytes) const {
    s3::Client c(s3_config());
    c.put_object(c.key_for(name), bytes);
  }

  static PlainTextNeedles needles() {
    PlainTextNeedles n;
    std::istringstream emails(cluster_->psql(
        "SELECT email FROM public.sales UNION SELECT email FROM auth.users WHERE email IS NOT NULL ORDER BY 1 LIMIT 40"));
    for (std::string line; std::getline(emails, line);)
      if (line.find('@') != std::string::npos) n.emails.push_back(line);
    // The bucket's files as the Storage API serves them (the fixture server keeps its own layout).
    testsupport::TempFolder dump;
    testsupport::CliEnv e{"", cluster_->url(), storage_->url(), storage_->key(), {}};
    auto d = e.run({"dump", "attachments", "-o", dump.path + "/bucket"});
    EXPECT_EQ(d.exit_code, 0) << d.out << d.err;
    std::size_t files = 0;
    for (const auto& [name, meta] : testsupport::bucket_listing(storage_->url(), storage_->key())) {
      std::string bytes = read_bytes(dump.path + "/bucket/" + name);
      files += !bytes.empty();
      if (bytes.size() >= 64) n.attachment_windows.push_back(bytes.substr(bytes.size() / 2 - 16, 32));
    }
    EXPECT_GT(files, 0u) << "no attachment was read from " << dump.path;
    return n;
  }

  struct DbState {
    std::map<std::string, std::string> tables, catalog;
    bool operator==(const DbState& o) const { return tables == o.tables && catalog == o.catalog; }
  };
  static DbState db_state() {
    return {testsupport::table_checksums(*cluster_, "postgres", kDataSchemas),
            testsupport::catalog_census(*cluster_, "postgres", kDataSchemas)};
  }
  static void damage_database() {
    // Always a change, also to a database an earlier test left damaged.
    cluster_->psql("UPDATE public.contacts SET first_name = first_name || '~'; DELETE FROM public.tags");
  }
  static std::map<std::string, std::string> bucket() {
    return testsupport::bucket_listing(storage_->url(), storage_->key());
  }
  static void damage_bucket() {
    storage::StorageConfig cfg{.base_url = storage_->url(), .service_key = storage_->key()};
    storage::StorageClient(cfg).delete_objects({bucket().begin()->first});
  }

  // Backs up, damages the database and the bucket, restores with `e`; the database (table
  // checksums and catalog census) and the bucket must be the source again.
  void expect_restore_gives_back_the_source(const testsupport::CliEnv& e, const std::string& prefix,
                                            const DbState& source, const std::map<std::string, std::string>& source_bucket) {
    damage_database();
    damage_bucket();
    ASSERT_FALSE(db_state() == source);
    auto r = e.run({"restore", prefix, "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto after = db_state();
    EXPECT_EQ(testsupport::diff_maps(source.tables, after.tables), "");
    EXPECT_EQ(testsupport::diff_maps(source.catalog, after.catalog), "");
    EXPECT_EQ(testsupport::diff_maps(source_bucket, bucket()), "");
  }

  static std::string prefix_of(const std::string& backup_json) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(backup_json, m, std::regex("\"prefix\": \"(backup-[0-9-]+)\""))) << backup_json;
    return m.size() > 1 ? m[1].str() : "";
  }

  static sandbox::PgCluster* cluster_;
  static sandbox::StorageServer* storage_;
  static testsupport::TempFolder* storage_root_;
  static sandbox::S3Server* s3_;
  testsupport::TempFolder folder_;
  std::string backups_, passphrase_file_, other_passphrase_file_;
};
sandbox::PgCluster* EncryptionTest::cluster_ = nullptr;
sandbox::StorageServer* EncryptionTest::storage_ = nullptr;
testsupport::TempFolder* EncryptionTest::storage_root_ = nullptr;
sandbox::S3Server* EncryptionTest::s3_ = nullptr;

}  // namespace

TEST_F(EncryptionTest, S3BackupIsEncryptedListedWithoutPassphraseVerifiedAndRestored) {
  auto e = s3_env(passphrase_file_);
  auto source = db_state();
  auto source_bucket = bucket();
  auto b = e.run({"backup", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("\"encrypted\": true"), std::string::npos) << b.out;
  EXPECT_NE(b.err.find("Created the key file"), std::string::npos) << b.err;
  EXPECT_NE(b.err.find("CRMBACKUP_INSECURE_KDF_FOR_TESTS=1"), std::string::npos) << "the weak KDF was silent: " << b.err;
  EXPECT_EQ(b.err.find("stored in clear"), std::string::npos) << b.err;
  const std::string prefix = prefix_of(b.out);

  // No object holds plain text; attachments are blobs under keyed names (64 hex digits), and
  // no object is named after a bucket path.
  auto stored = s3_objects();
  auto n = needles();
  ASSERT_FALSE(n.emails.empty());
  ASSERT_FALSE(n.attachment_windows.empty());
  for (const char* kind : {"sql", "email", "attachment"})
    EXPECT_EQ(plain_text_found(stored, n, kind), std::vector<std::string>{}) << kind;
  std::size_t blobs = 0;
  for (const auto& [name, bytes] : stored) {
    if (name.rfind("blobs/", 0) == 0) {
      ++blobs;
      EXPECT_TRUE(std::regex_match(name, std::regex("blobs/[0-9a-f]{64}"))) << name;
    }
    for (const auto& [path, meta] : source_bucket) EXPECT_EQ(name.find(path), std::string::npos) << name;
  }
  EXPECT_GT(blobs, 0u);
  EXPECT_TRUE(stored.count("crmbackup-key.json"));
  EXPECT_TRUE(stored.count(prefix + "-manifest.enc"));

  // list needs no passphrase and says the set is encrypted.
  auto list = s3_env("").run({"list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.out << list.err;
  EXPECT_TRUE(std::regex_search(list.out, std::regex("\"prefix\": \"" + prefix + "\",\\s*\"state\": \"complete\"")))
      << list.out;
  EXPECT_NE(list.out.find("\"encrypted\": true"), std::string::npos) << list.out;
  auto list_text = s3_env("").run({"list"});
  EXPECT_NE(list_text.out.find(prefix), std::string::npos);
  EXPECT_NE(list_text.out.find("encrypted"), std::string::npos) << list_text.out;

  // prune needs no passphrase either, and takes the summary's blobs for referenced: a sweep
  // with no grace period keeps every one of them.
  // An orphan blob of the same naming shows that the sweep does run over keyed names.
  const std::string orphan = "blobs/" + std::string(64, 'e');
  put_s3_object(orphan, "left by a failed backup");
  auto prune_env = s3_env("");
  prune_env.extra["BACKUP_REPO_BLOB_GRACE_SECONDS"] = "1";
  ::sleep(2);
  auto prune = prune_env.run({"prune", "--retention-days", "36500"});
  ASSERT_EQ(prune.exit_code, 0) << prune.out << prune.err;
  auto after_prune = s3_objects();
  EXPECT_FALSE(after_prune.count(orphan)) << prune.out;
  EXPECT_EQ(after_prune, stored) << prune.out;

  auto verify = e.run({"verify", prefix});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("\u2713 Backup " + prefix + " verified"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find(std::to_string(source_bucket.size()) + " attachments"), std::string::npos) << verify.out;

  // The next backup reuses what the encrypted set holds: the unchanged attachments are not
  // downloaded, no blob is uploaded again, and the new set verifies.
  auto next = e.run({"backup", "--json", "--no-retention"});
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_TRUE(std::regex_search(next.err, std::regex("Reusing " + std::to_string(source_bucket.size()) + " unchanged files; downloading 0")))
      << next.err;
  EXPECT_NE(next.err.find("Attachments: 0 uploaded"), std::string::npos) << next.err;
  auto verify_next = e.run({"verify", prefix_of(next.out)});
  EXPECT_EQ(verify_next.exit_code, 0) << verify_next.out << verify_next.err;

  expect_restore_gives_back_the_source(e, prefix, source, source_bucket);
  // The decrypted copy restore used is gone: nothing of the set is left in clear on disk.
  for (const auto& f : fs::directory_iterator(fs::temp_directory_path()))
    EXPECT_EQ(f.path().filename().string().find(prefix + "-decrypted"), std::string::npos) << f.path();
}

TEST_F(EncryptionTest, S3BackupWithoutPassphraseWarnsAndTheScanFindsItsPlainText) {
  // The control: the scan that finds nothing in an encrypted repository finds every kind of
  // plain text in an unencrypted one.
  auto b = s3_env("").run({"backup"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("no passphrase is configured: this backup is stored in clear"), std::string::npos) << b.out;
  auto stored = s3_objects();
  auto n = needles();
  for (const char* kind : {"sql", "email", "attachment"})
    EXPECT_FALSE(plain_text_found(stored, n, kind).empty()) << "the scan does not find " << kind << " text";
  EXPECT_FALSE(stored.count("crmbackup-key.json"));
}

TEST_F(EncryptionTest, FolderBackupWithEncryptIsEncryptedVerifiedAndRestored) {
  auto e = folder_env(passphrase_file_);
  auto source = db_state();
  auto source_bucket = bucket();
  auto refused = folder_env("").run({"backup", "--encrypt"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("--encrypt needs a passphrase"), std::string::npos) << refused.err;

  auto b = e.run({"backup", "--encrypt", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("\"encrypted\": true"), std::string::npos) << b.out;
  const std::string prefix = prefix_of(b.out);
  auto stored = folder_files();
  auto n = needles();
  for (const char* kind : {"sql", "email", "attachment"})
    EXPECT_EQ(plain_text_found(stored, n, kind), std::vector<std::string>{}) << kind;
  struct stat st {};
  ASSERT_EQ(::stat((backups_ + "/crmbackup-key.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto list = folder_env("").run({"list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("\"encrypted\": true"), std::string::npos) << list.out;
  auto verify = e.run({"verify", prefix});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  expect_restore_gives_back_the_source(e, prefix, source, source_bucket);

  // The passphrase alone does not encrypt a folder set (the folder layout stays readable SQL).
  auto plain = e.run({"backup", "--no-attachments", "--json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("\"encrypted\": false"), std::string::npos) << plain.out;
  EXPECT_NE(read_bytes(backups_ + "/" + prefix_of(plain.out) + "-schema.sql").find("CREATE TABLE"), std::string::npos);
}

TEST_F(EncryptionTest, WrongOrMissingPassphraseExitsFiveAndLeavesTheTargetUnchanged) {
  auto b = folder_env(passphrase_file_).run({"backup", "--encrypt", "--no-attachments", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  const std::string prefix = prefix_of(b.out);
  // A backup with another passphrase stops before it writes anything.
  auto files_before = folder_files();
  auto other = folder_env(other_passphrase_file_).run({"backup", "--encrypt", "--no-attachments", "--json"});
  EXPECT_EQ(other.exit_code, 5) << other.out << other.err;
  EXPECT_NE(other.out.find("\"code\": \"wrong_passphrase\""), std::string::npos) << other.out;
  EXPECT_EQ(folder_files(), files_before);
  damage_database();
  auto before = db_state();

  auto wrong = folder_env(other_passphrase_file_).run({"restore", prefix, "--yes", "--json"});
  EXPECT_EQ(wrong.exit_code, 5) << wrong.out << wrong.err;
  EXPECT_NE(wrong.out.find("\"code\": \"wrong_passphrase\""), std::string::npos) << wrong.out;
  EXPECT_NE(wrong.err.find("crmbackup-key.json"), std::string::npos) << "the message names the key file: " << wrong.err;
  EXPECT_EQ(wrong.err.find(kOtherPassphrase), std::string::npos) << "the passphrase was printed";
  EXPECT_TRUE(db_state() == before) << "a wrong passphrase changed the database";

  auto none = folder_env("").run({"restore", prefix, "--yes", "--json"});
  EXPECT_EQ(none.exit_code, 5) << none.out << none.err;
  EXPECT_NE(none.out.find("\"code\": \"passphrase_required\""), std::string::npos) << none.out;
  EXPECT_TRUE(db_state() == before);

  auto verify = folder_env(other_passphrase_file_).run({"verify", prefix});
  EXPECT_EQ(verify.exit_code, 5) << verify.out << verify.err;
  auto list = folder_env(other_passphrase_file_).run({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(prefix), std::string::npos) << list.out;

  // A passphrase file others can read is refused as a usage error, never used.
  ::chmod(passphrase_file_.c_str(), 0644);
  auto open_file = folder_env(passphrase_file_).run({"restore", prefix, "--yes"});
  EXPECT_EQ(open_file.exit_code, 2) << open_file.out << open_file.err;
  EXPECT_TRUE(db_state() == before);
}

TEST_F(EncryptionTest, AlteredOrSwappedPartsAreNamedByVerifyAndRefusedByRestore) {
  auto e = folder_env(passphrase_file_);
  auto first = e.run({"backup", "--encrypt", "--json", "--no-retention"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = e.run({"backup", "--encrypt", "--json", "--no-retention"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const std::string a = prefix_of(first.out), b = prefix_of(second.out);
  ASSERT_NE(a, b);
  damage_database();
  auto before = db_state();

  // One flipped byte in the data part.
  const std::string data = backups_ + "/" + b + "-data.sql";
  const std::string original = read_bytes(data);
  std::string flipped = original;
  flipped[flipped.size() / 2] ^= 0x01;
  write_bytes(data, flipped);
  auto verify = e.run({"verify", b});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_NE((verify.out + verify.err).find(b + "-data.sql"), std::string::npos) << verify.out << verify.err;
  auto restore = e.run({"restore", b, "--yes", "--json"});
  EXPECT_EQ(restore.exit_code, 1) << restore.out << restore.err;
  EXPECT_NE(restore.out.find("\"code\": \"damaged_set\""), std::string::npos) << restore.out;
  EXPECT_NE(restore.err.find(b + "-data.sql"), std::string::npos) << restore.err;
  EXPECT_TRUE(db_state() == before);
  write_bytes(data, original);

  // The other set's schema part (the same role, authentic under the same key) put in its place.
  write_bytes(backups_ + "/" + b + "-schema.sql", read_bytes(backups_ + "/" + a + "-schema.sql"));
  auto swapped = e.run({"restore", b, "--yes"});
  EXPECT_EQ(swapped.exit_code, 1) << swapped.out << swapped.err;
  EXPECT_NE(swapped.err.find(b + "-schema.sql"), std::string::npos) << swapped.err;
  EXPECT_TRUE(db_state() == before);

  // An attachment of one set in place of another attachment of the same set.
  std::vector<fs::path> files;
  for (const auto& f : fs::recursive_directory_iterator(backups_ + "/" + a + "-attachments"))
    if (f.is_regular_file()) files.push_back(f.path());
  ASSERT_GE(files.size(), 2u);
  fs::copy_file(files[0], files[1], fs::copy_options::overwrite_existing);
  auto att = e.run({"verify", a});
  EXPECT_EQ(att.exit_code, 1) << att.out << att.err;
  EXPECT_NE((att.out + att.err).find(fs::relative(files[1], backups_).string()), std::string::npos)
      << att.out << att.err;
}

TEST_F(EncryptionTest, S3AlteredBlobIsNamedByVerifyAndRefusedByRestore) {
  auto e = s3_env(passphrase_file_);
  auto b = e.run({"backup", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  const std::string prefix = prefix_of(b.out);
  std::string blob;
  for (const auto& [name, bytes] : s3_objects())
    if (name.rfind("blobs/", 0) == 0 && bytes.size() > 100) {
      std::string altered = bytes;
      altered[altered.size() - 20] ^= 0x40;
      put_s3_object(name, altered);
      blob = name;
      break;
    }
  ASSERT_FALSE(blob.empty());
  auto verify = e.run({"verify", prefix});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_NE((verify.out + verify.err).find(blob), std::string::npos) << verify.out << verify.err;
  damage_database();
  auto before = db_state();
  auto restore = e.run({"restore", prefix, "--yes"});
  EXPECT_EQ(restore.exit_code, 1) << restore.out << restore.err;
  EXPECT_TRUE(db_state() == before);
}

TEST_F(EncryptionTest, PassphraseChangeRewrapsTheKeyAndOldSetsOpenWithTheNewPassphraseOnly) {
  auto source = db_state();
  auto b = s3_env(passphrase_file_).run({"backup", "--no-attachments", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  const std::string prefix = prefix_of(b.out);
  auto objects_before = s3_objects();

  auto change = s3_env(passphrase_file_);
  change.extra["CRMBACKUP_NEW_PASSPHRASE_FILE"] = other_passphrase_file_;
  auto c = change.run({"passphrase", "change"});
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  // Only the key file changed; no part of the set was rewritten.
  auto objects_after = s3_objects();
  ASSERT_EQ(objects_before.size(), objects_after.size());
  for (const auto& [name, bytes] : objects_before) {
    if (name == "crmbackup-key.json") EXPECT_NE(bytes, objects_after[name]);
    else EXPECT_EQ(bytes, objects_after[name]) << name << " was rewritten";
  }

  auto wrong_old = change.run({"passphrase", "change"});
  EXPECT_EQ(wrong_old.exit_code, 5) << "the old passphrase still opens the key file: " << wrong_old.out;

  damage_database();
  auto before = db_state();
  auto old = s3_env(passphrase_file_).run({"restore", prefix, "--yes", "--no-attachments"});
  EXPECT_EQ(old.exit_code, 5) << old.out << old.err;
  EXPECT_TRUE(db_state() == before);
  auto fresh = s3_env(other_passphrase_file_).run({"restore", prefix, "--yes", "--no-attachments"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.out << fresh.err;
  EXPECT_EQ(testsupport::diff_maps(source.tables, db_state().tables), "");
  auto verify = s3_env(other_passphrase_file_).run({"verify", prefix, "--no-attachments"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(EncryptionTest, EncryptedFolderSetCopiedToS3AndAFolderStaysEncryptedAndRestoresFromTheCopy) {
  // A folder set with --encrypt pushed off-site by --copy-to: each target gets the set
  // re-encrypted under its own key file (S3: attachments as keyed blobs), never in clear.
  auto e = with_s3_credentials(folder_env(passphrase_file_));
  const std::string second_folder = folder_.path + "/second";
  auto source = db_state();
  auto source_bucket = bucket();
  auto b = e.run({"backup", "--encrypt", "--json", "--copy-to", repo_url(), "--copy-to", second_folder});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  const std::string prefix = prefix_of(b.out);
  EXPECT_NE(b.out.find("\"backup_completed\": true"), std::string::npos) << b.out;

  auto n = needles();
  ASSERT_FALSE(n.emails.empty());
  auto stored = s3_objects();
  EXPECT_TRUE(stored.count("crmbackup-key.json"));
  EXPECT_TRUE(stored.count(prefix + "-manifest.enc"));
  std::size_t blobs = 0;
  for (const auto& [name, bytes] : stored) {
    if (name.rfind("blobs/", 0) == 0) {
      ++blobs;
      EXPECT_TRUE(std::regex_match(name, std::regex("blobs/[0-9a-f]{64}"))) << name;
    }
    for (const auto& [path, meta] : source_bucket) EXPECT_EQ(name.find(path), std::string::npos) << name;
  }
  EXPECT_GT(blobs, 0u);
  std::map<std::string, std::string> second;
  for (const auto& f : fs::recursive_directory_iterator(second_folder))
    if (f.is_regular_file()) second[fs::relative(f.path(), second_folder).string()] = read_bytes(f.path());
  EXPECT_TRUE(second.count("crmbackup-key.json"));
  for (const char* kind : {"sql", "email", "attachment"}) {
    EXPECT_EQ(plain_text_found(stored, n, kind), std::vector<std::string>{}) << kind;
    EXPECT_EQ(plain_text_found(second, n, kind), std::vector<std::string>{}) << kind;
  }

  testsupport::CliEnv second_env{second_folder, cluster_->url(), storage_->url(), storage_->key(), {}};
  second_env.extra["CRMBACKUP_PASSPHRASE_FILE"] = passphrase_file_;
  auto verify_second = second_env.run({"verify", prefix});
  EXPECT_EQ(verify_second.exit_code, 0) << verify_second.out << verify_second.err;
  auto wrong = s3_env(other_passphrase_file_).run({"verify", prefix});
  EXPECT_EQ(wrong.exit_code, 5) << wrong.out << wrong.err;
  expect_restore_gives_back_the_source(s3_env(passphrase_file_), prefix, source, source_bucket);

  // Without the passphrase an encrypted set cannot be re-encrypted for a new target: the
  // backup itself completes (plain), the copy fails with exit 4 and says why.
  auto plain_env = with_s3_credentials(folder_env(""));
  auto no_pass = plain_env.run({"backup", "--no-retention", "--copy-to", repo_url() + "other/"});
  EXPECT_EQ(no_pass.exit_code, 4) << no_pass.out << no_pass.err;
  EXPECT_NE((no_pass.out + no_pass.err).find("no passphrase is configured"), std::string::npos)
      << no_pass.out << no_pass.err;
}
