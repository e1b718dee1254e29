// Known answers: a key file and an encrypted part generated once (tests/data/crypto/README.md)
// with a fixed passphrase must keep decrypting to the same bytes, so the format (KDF, key
// wrapping, subkeys, header, framing, associated data, blob names) never changes by accident.
#include <gtest/gtest.h>
#include <sodium.h>

#include <fstream>
#include <sstream>

#include "crypto/blob_name.hpp"
#include "crypto/encrypted_stream.hpp"
#include "crypto/key_file.hpp"

using namespace crm::crypto;

namespace {
std::string slurp(const std::string& name) {
  std::string path = std::string(CRM_TEST_DATA_DIR) + "/crypto/" + name;
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f) << "missing fixture " << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
const char* kPassphrase = "known-answer passphrase v1";
const char* kBinding = "backup-2026-12-03-020000/data.sql";
}  // namespace

TEST(CryptoKnownAnswer, CommittedPartDecryptsToTheCommittedPlaintext) {
  KeyFile file = parse_key_file(slurp("key.json"), "tests/data/crypto/key.json");
  DataKey key = unlock_key(file, Passphrase::from_text(kPassphrase), "tests/data/crypto/key.json");
  // The unwrapped data key itself is pinned, so another implementation can check its KDF and unwrap.
  char key_hex[65];
  sodium_bin2hex(key_hex, sizeof key_hex, key.bytes().data(), key.bytes().size());
  EXPECT_EQ(std::string(key_hex), slurp("data-key.hex").substr(0, 64));
  std::string cipher = slurp("data.sql.enc");
  std::string expected = slurp("data.sql");
  ASSERT_GT(expected.size(), 3 * 64u) << "the fixture should span several chunks";
  EXPECT_EQ(cipher.substr(0, 8), "CRMBKENC");
  EXPECT_EQ(decrypt_buffer(key, kBinding, "data.sql.enc", cipher), expected);
  EXPECT_EQ(blob_name(key, expected), slurp("data.sql.blob-name").substr(0, 64));
  EXPECT_THROW(unlock_key(file, Passphrase::from_text("known-answer passphrase v2"), "key.json"), WrongPassphraseError);
}
