// An encrypted set as the backup writes it (PartFile, seal_encrypted_set, the folder
// repository's commit) and as restore and verify read it (open_readable_set): the round trip
// gives back every part and attachment, the stored files hold none of their plaintext, and a
// committed set (tests/data/crypto/set-v1, see its README) keeps opening to the same bytes, so
// the layout of an encrypted set never changes by accident.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "crypto/key_file.hpp"
#include "engine/backup/set_encryption.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/backupset/verify_files.hpp"
#include "engine/errors.hpp"
#include "engine/io/hash.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/readable_set.hpp"
#include "tests/support/cli_env.hpp"

using namespace crm;
namespace fs = std::filesystem;

namespace {

const char* kPassphrase = "known-answer passphrase v1";

// What the set holds in clear: part -> content, and one attachment.
const std::map<std::string, std::string> kParts = {
    {"roles.sql", "CREATE ROLE \"kat_role\" NOLOGIN;\n"},
    {"schema.sql", "CREATE TABLE \"public\".\"contacts\" (\"id\" bigint, \"email\" text);\n"},
    {"data.sql", "COPY \"public\".\"contacts\" (\"id\", \"email\") FROM stdin;\n1\tada@example.com\n\\.\n"},
    {"migrations.sql", "-- no migrations\n"},
    {"applied-migrations.txt", ""}};
const std::map<std::string, std::string> kRoles = {{"roles.sql", "roles"}, {"schema.sql", "schema"},
                                                   {"data.sql", "data"}, {"migrations.sql", "migrations"},
                                                   {"applied-migrations.txt", "applied-migrations"}};
const std::string kAttachmentPath = "contacts/1/note.txt";
const std::string kAttachment = "a distinctive attachment body: 7f3a9c1e-known-answer";

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const crypto::EnvLookup kCheapKdf = [](const char* name) -> const char* {
  return std::string(name) == engine::repo::kInsecureKdfEnv ? "1" : nullptr;
};

engine::repo::KeyUnlocker unlocker(const std::string& passphrase) {
  return [passphrase](engine::repo::Repository& repo) {
    return engine::repo::unlock_repository_key(repo, crypto::Passphrase::from_text(passphrase), false, {}, kCheapKdf);
  };
}

// Writes an encrypted set into dir the way run_backup does; returns its prefix.
std::string write_encrypted_set(const fs::path& dir) {
  engine::repo::FolderRepository repo(dir);
  auto key = std::make_shared<const crypto::DataKey>(engine::repo::unlock_repository_key(
      repo, crypto::Passphrase::from_text(kPassphrase), true, {}, kCheapKdf));
  engine::SetEncryption encryption(key);
  auto reservation = repo.reserve(1796263200);  // 2026-12-03
  engine::Manifest m;
  m.prefix = reservation->prefix();
  m.started_at = "2026-12-03T02:00:00Z";
  m.finished_at = "2026-12-03T02:00:01Z";
  m.attachments_included = true;
  m.bucket = "attachments";
  for (const auto& [part, text] : kParts) {
    engine::PartFile f(*reservation, part, &encryption);
    f.write(text);
    f.commit();
    m.files.push_back({m.prefix + "-" + part, kRoles.at(part), f.bytes(), f.hash_hex()});
  }
  fs::path att = reservation->staging_path("attachments") / kAttachmentPath;
  fs::create_directories(att.parent_path());
  {
    // As the download writes it: encrypted on its way into the file.
    std::ofstream file(att, std::ios::binary);
    auto download = encryption.encrypt_download(m.prefix, std::string(kAttachmentPath),
                                                [&file](std::string_view b) { file.write(b.data(), b.size()); });
    download->write(kAttachment);
    download->finish();
  }
  engine::ManifestObject o;
  o.path = kAttachmentPath;
  o.size = kAttachment.size();
  o.xxh3_128 = engine::xxh3_128_hex(kAttachment);
  o.content_type = "text/plain";
  m.objects.push_back(o);
  reservation->commit(engine::seal_encrypted_set(*reservation, m, encryption, /*blobs=*/false));
  return m.prefix;
}

// Opens the set in dir and checks every part and the attachment against the known plaintext.
void expect_opens_to_the_known_plaintext(const fs::path& dir) {
  engine::repo::FolderRepository repo(dir);
  auto sets = repo.list_sets();
  ASSERT_EQ(sets.size(), 1u);
  ASSERT_EQ(sets[0].state, engine::SetState::Complete) << sets[0].state_reason;
  ASSERT_TRUE(engine::is_encrypted(sets[0]));
  const std::string prefix = sets[0].name.prefix;
  auto local = engine::repo::open_readable_set(repo, sets[0], true, unlocker(kPassphrase));
  const auto& set = local->set();
  ASSERT_TRUE(set.manifest);
  EXPECT_FALSE(engine::is_encrypted(*set.manifest)) << "the decrypted copy carries the real manifest";
  for (const auto& [part, text] : kParts) EXPECT_EQ(read_bytes(set.part(part)), text) << part;
  EXPECT_EQ(read_bytes(set.part("attachments") / kAttachmentPath), kAttachment);
  EXPECT_EQ(engine::verify_set_files(set).size(), 0u);
}

}  // namespace

TEST(EncryptedSetFormat, WhatTheBackupSealsReadsBackWithNoPlainTextStored) {
  testsupport::TempFolder dir;
  const std::string prefix = write_encrypted_set(dir.path);
  // For regenerating tests/data/crypto/set-v1 (its README): the same set, kept.
  if (const char* keep = std::getenv("CRM_WRITE_ENCRYPTED_SET_FIXTURE")) fs::copy(dir.path, keep, fs::copy_options::recursive);
  for (const auto& f : fs::recursive_directory_iterator(dir.path)) {
    if (!f.is_regular_file()) continue;
    std::string stored = read_bytes(f.path());
    for (const auto& [part, text] : kParts)
      if (!text.empty()) {
        EXPECT_EQ(stored.find(text), std::string::npos) << f.path() << " holds " << part;
      }
    EXPECT_EQ(stored.find("ada@example.com"), std::string::npos) << f.path();
    EXPECT_EQ(stored.find(kAttachment), std::string::npos) << f.path();
  }
  expect_opens_to_the_known_plaintext(dir.path);
  // Nothing of the decrypted copy is left once it is released.
  for (const auto& f : fs::directory_iterator(fs::temp_directory_path()))
    EXPECT_EQ(f.path().filename().string().find(prefix + "-decrypted"), std::string::npos) << f.path();
}

TEST(EncryptedSetFormat, AnotherPassphraseOpensNothing) {
  testsupport::TempFolder dir;
  write_encrypted_set(dir.path);
  engine::repo::FolderRepository repo(dir.path);
  EXPECT_THROW(engine::repo::open_readable_set(repo, repo.list_sets().at(0), true, unlocker("another one")),
               crypto::WrongPassphraseError);
}

TEST(EncryptedSetFormat, CommittedSetStillOpensToTheSameBytes) {
  fs::path fixture = fs::path(CRM_TEST_DATA_DIR) / "crypto" / "set-v1";
  ASSERT_TRUE(fs::exists(fixture / "crmbackup-key.json")) << "missing fixture " << fixture;
  // Read from a private copy: the set's files are 0600 when written, whatever git checked out.
  testsupport::TempFolder copy;
  fs::copy(fixture, copy.path, fs::copy_options::recursive);
  fs::remove(fs::path(copy.path) / "README.md");
  expect_opens_to_the_known_plaintext(copy.path);
}
