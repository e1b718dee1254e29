// The repository's key file as the commands use it: created once by the first encrypted backup
// (0600, never replaced by a second "first" one), unlocked by the same passphrase only,
// re-wrapped by a passphrase change without changing the data key, and the test-only cheap KDF
// never taken silently. Also the encrypted set's manifest fields and the exit code 5 mapping.
#include "engine/repo/repository_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <map>

#include "crypto/encrypted_stream.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/cli/error_report.hpp"
#include "engine/errors.hpp"
#include "engine/repo/folder_repository.hpp"
#include "tests/support/cli_env.hpp"

using namespace crm;
using engine::repo::FolderRepository;

namespace {

crypto::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

const crypto::EnvLookup kCheapKdf = env_of({{engine::repo::kInsecureKdfEnv, "1"}});

// Whether two keys are the same: one encrypts what the other decrypts.
bool same_key(const crypto::DataKey& a, const crypto::DataKey& b) {
  auto sealed = crypto::encrypt_buffer(a, "set/part", "probe");
  try {
    return crypto::decrypt_buffer(b, "set/part", "probe", sealed) == "probe";
  } catch (const crypto::StreamError&) {
    return false;
  }
}

}  // namespace

TEST(RepositoryKey, TheFirstEncryptedBackupCreatesAPrivateKeyFileThatOnlyItsPassphraseOpens) {
  testsupport::TempFolder dir;
  FolderRepository repo(dir.path);
  auto pass = crypto::Passphrase::from_text("first passphrase");
  EXPECT_THROW(engine::repo::unlock_repository_key(repo, pass, /*create=*/false, {}, kCheapKdf), engine::UsageError);
  std::vector<std::string> notes;
  auto key = engine::repo::unlock_repository_key(repo, pass, true, [&](const std::string& l) { notes.push_back(l); },
                                                 kCheapKdf);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find(engine::repo::kInsecureKdfEnv), std::string::npos) << "the cheap KDF was silent";
  EXPECT_NE(notes[1].find("Created the key file"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(repo.key_file_location().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The file records the parameters it was made with.
  auto file = crypto::parse_key_file(*repo.read_key_file(), "key");
  EXPECT_EQ(file.kdf.opslimit, crypto::KdfParams::minimum().opslimit);
  EXPECT_EQ(file.kdf.memlimit, crypto::KdfParams::minimum().memlimit);

  auto again = engine::repo::unlock_repository_key(repo, pass, true, {}, kCheapKdf);
  EXPECT_TRUE(same_key(key, again)) << "a second backup made a new key";
  EXPECT_FALSE(repo.create_key_file("{}")) << "an existing key file was replaced";
  EXPECT_THROW(engine::repo::unlock_repository_key(repo, crypto::Passphrase::from_text("other"), true, {}, kCheapKdf),
               crypto::WrongPassphraseError);
}

TEST(RepositoryKey, WithoutTheTestVariableNewKeyFilesUseTheRecommendedCost) {
  std::vector<std::string> notes;
  auto params = engine::repo::kdf_for_new_key_files(env_of({}), [&](const std::string& l) { notes.push_back(l); });
  EXPECT_EQ(params.opslimit, crypto::KdfParams::recommended().opslimit);
  EXPECT_EQ(params.memlimit, crypto::KdfParams::recommended().memlimit);
  EXPECT_TRUE(notes.empty());
  // Anything but exactly "1" leaves the cost alone.
  params = engine::repo::kdf_for_new_key_files(env_of({{engine::repo::kInsecureKdfEnv, "yes"}}), {});
  EXPECT_EQ(params.memlimit, crypto::KdfParams::recommended().memlimit);
}

TEST(RepositoryKey, APassphraseChangeKeepsTheDataKeyAndRetiresTheOldPassphrase) {
  testsupport::TempFolder dir;
  FolderRepository repo(dir.path);
  auto old_pass = crypto::Passphrase::from_text("old passphrase");
  auto new_pass = crypto::Passphrase::from_text("new passphrase");
  EXPECT_THROW(engine::repo::change_repository_passphrase(repo, old_pass, new_pass, {}, kCheapKdf), engine::UsageError);
  auto key = engine::repo::unlock_repository_key(repo, old_pass, true, {}, kCheapKdf);
  EXPECT_THROW(engine::repo::change_repository_passphrase(repo, new_pass, old_pass, {}, kCheapKdf),
               crypto::WrongPassphraseError);
  engine::repo::change_repository_passphrase(repo, old_pass, new_pass, {}, kCheapKdf);
  EXPECT_TRUE(same_key(key, engine::repo::unlock_repository_key(repo, new_pass, false, {}, kCheapKdf)));
  EXPECT_THROW(engine::repo::unlock_repository_key(repo, old_pass, false, {}, kCheapKdf), crypto::WrongPassphraseError);
  struct stat st {};
  ASSERT_EQ(::stat(repo.key_file_location().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(EncryptedSet, BlobNamesRoundTripInTheManifestAndNothingElseIsAccepted) {
  engine::Manifest m;
  m.prefix = "backup-2026-12-03-020000";
  m.options[std::string(engine::kEncryptionOption)] = std::string(engine::kEncryptionV1);
  m.attachments_included = true;
  engine::ManifestObject o;
  o.path = "contacts/1/photo.png";
  o.size = 10;
  o.xxh3_128 = std::string(32, 'a');
  o.blob = std::string(64, 'b');
  m.objects.push_back(o);
  auto parsed = engine::parse_manifest(engine::manifest_to_json(m), "test");
  EXPECT_TRUE(engine::is_encrypted(parsed));
  ASSERT_EQ(parsed.objects.size(), 1u);
  EXPECT_EQ(parsed.objects[0].blob_name(), std::string(64, 'b'));

  for (const std::string& bad : std::vector<std::string>{"../../x", std::string(64, 'B'), std::string(63, 'b'), std::string(32, 'c')}) {
    m.objects[0].blob = bad;
    EXPECT_THROW(engine::parse_manifest(engine::manifest_to_json(m), "test"), engine::ManifestError) << bad;
  }
  m.objects[0].blob.clear();
  m.options.clear();
  parsed = engine::parse_manifest(engine::manifest_to_json(m), "test");
  EXPECT_FALSE(engine::is_encrypted(parsed));
  EXPECT_EQ(parsed.objects[0].blob_name(), std::string(32, 'a')) << "a plain set's blobs are named by XXH3-128";
}

TEST(EncryptedSet, BindingsKeepSetsRolesAndBlobsApart) {
  const std::string set = "backup-2026-12-03-020000";
  EXPECT_EQ(engine::part_binding(set, "data.sql"), set + "/data.sql");
  EXPECT_EQ(engine::attachment_binding(set, "a/b.png"), set + "/attachments/a/b.png");
  EXPECT_EQ(engine::blob_binding("ab"), "blobs/ab");
  EXPECT_NE(engine::part_binding(set, "attachments/x"), engine::blob_binding("x"));
}

TEST(EncryptedSet, PassphraseErrorsExitWithFive) {
  auto wrong = cli::classify_error(std::make_exception_ptr(crypto::WrongPassphraseError("the key file x")));
  EXPECT_EQ(wrong.code, "wrong_passphrase");
  EXPECT_EQ(wrong.exit_code, 5);
  auto none = cli::classify_error(std::make_exception_ptr(engine::PassphraseRequiredError("encrypted")));
  EXPECT_EQ(none.code, "passphrase_required");
  EXPECT_EQ(none.exit_code, 5);
  EXPECT_FALSE(none.hint.empty());
}
