// The key file: create/unlock/rewrap, a wrong passphrase is its own error, the JSON survives a
// round trip and damaged files are refused by name. Minimum Argon2id limits keep this fast.
#include "crypto/key_file.hpp"

#include <gtest/gtest.h>

#include "crypto/base64.hpp"
#include "crypto/encrypted_stream.hpp"

using namespace crm::crypto;

namespace {
const std::string kSecret = "correct horse battery staple 8c1f";
const std::string kName = "s3://bucket/repo/key.json";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST(CryptoKeyFile, UnlockGivesBackTheCreatedDataKey) {
  CreatedKey created = create_key(Passphrase::from_text(kSecret), KdfParams::minimum());
  DataKey unlocked = unlock_key(created.file, Passphrase::from_text(kSecret), kName);
  EXPECT_TRUE(unlocked.bytes().equals(created.key.bytes()));
  // Two keys are random, not derived from the passphrase alone.
  CreatedKey other = create_key(Passphrase::from_text(kSecret), KdfParams::minimum());
  EXPECT_FALSE(other.key.bytes().equals(created.key.bytes()));
  EXPECT_NE(other.file.salt, created.file.salt);
}

TEST(CryptoKeyFile, WrongPassphraseIsADistinctErrorThatNamesTheFileNotTheSecret) {
  CreatedKey created = create_key(Passphrase::from_text(kSecret), KdfParams::minimum());
  EXPECT_THROW(unlock_key(created.file, Passphrase::from_text(kSecret + "x"), kName), WrongPassphraseError);
  std::string msg = error_of([&] { unlock_key(created.file, Passphrase::from_text("guess-7d2a"), kName); });
  EXPECT_NE(msg.find(kName), std::string::npos) << msg;
  EXPECT_NE(msg.find("wrong passphrase"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("guess-7d2a"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(kSecret), std::string::npos) << msg;
}

TEST(CryptoKeyFile, RewrapKeepsTheDataKeyAndRetiresTheOldPassphrase) {
  CreatedKey created = create_key(Passphrase::from_text(kSecret), KdfParams::minimum());
  std::string part = encrypt_buffer(created.key, "set/data.sql", "INSERT INTO contacts VALUES (1);\n");
  KeyFile rewrapped = rewrap_key(created.file, Passphrase::from_text(kSecret), Passphrase::from_text("new secret"),
                                 kName, KdfParams::minimum());
  EXPECT_NE(rewrapped.wrapped_key, created.file.wrapped_key);
  EXPECT_NE(rewrapped.salt, created.file.salt);
  DataKey key = unlock_key(rewrapped, Passphrase::from_text("new secret"), kName);
  EXPECT_TRUE(key.bytes().equals(created.key.bytes()));
  EXPECT_EQ(decrypt_buffer(key, "set/data.sql", "data.sql", part), "INSERT INTO contacts VALUES (1);\n");
  EXPECT_THROW(unlock_key(rewrapped, Passphrase::from_text(kSecret), kName), WrongPassphraseError);
  EXPECT_THROW(rewrap_key(created.file, Passphrase::from_text("nope"), Passphrase::from_text("x"), kName,
                          KdfParams::minimum()),
               WrongPassphraseError);
}

TEST(CryptoKeyFile, JsonRoundTripAndNoSecretInIt) {
  CreatedKey created = create_key(Passphrase::from_text(kSecret), KdfParams::minimum());
  std::string json = key_file_to_json(created.file);
  EXPECT_EQ(json.find(kSecret), std::string::npos);
  EXPECT_NE(json.find("\"kdf\": \"argon2id13\""), std::string::npos) << json;
  KeyFile parsed = parse_key_file(json, kName);
  EXPECT_EQ(parsed.salt, created.file.salt);
  EXPECT_EQ(parsed.nonce, created.file.nonce);
  EXPECT_EQ(parsed.wrapped_key, created.file.wrapped_key);
  EXPECT_EQ(parsed.kdf.opslimit, created.file.kdf.opslimit);
  EXPECT_EQ(parsed.kdf.memlimit, created.file.kdf.memlimit);
  EXPECT_TRUE(unlock_key(parsed, Passphrase::from_text(kSecret), kName).bytes().equals(created.key.bytes()));
}

TEST(CryptoKeyFile, DamagedOrUnsupportedFilesAreRefusedByName) {
  CreatedKey created = create_key(Passphrase::from_text(kSecret), KdfParams::minimum());
  std::string json = key_file_to_json(created.file);
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = json;
    auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return s.replace(pos, from.size(), to);
  };
  std::vector<std::string> bad = {
      "", "[]", "{", replaced("\"version\": 1", "\"version\": 2"), replaced("argon2id13", "scrypt"),
      replaced("xchacha20poly1305-ietf", "aes256gcm"), replaced("crmbackup-native-key", "other"),
      replaced("\"memlimit\": 8192", "\"memlimit\": 1099511627776"),  // a hostile 1 TiB
      replaced("\"opslimit\": 1", "\"opslimit\": 0"), replaced("\"salt\": \"", "\"salt\": \"AAAA"),
      replaced("\"nonce\": \"", "\"nonce\": \"!"), replaced("\"wrapped_key\"", "\"wrapped\"")};
  for (const auto& b : bad) {
    std::string msg = error_of([&] { parse_key_file(b, kName); });
    EXPECT_NE(msg.find(kName), std::string::npos) << msg << "\nfor: " << b;
    EXPECT_THROW(parse_key_file(b, kName), KeyFileError) << b;
  }
  // A wrapped key altered on disk cannot be told from a wrong passphrase: same error.
  KeyFile altered = created.file;
  altered.wrapped_key[3] = static_cast<char>(altered.wrapped_key[3] ^ 0x40);
  EXPECT_THROW(unlock_key(altered, Passphrase::from_text(kSecret), kName), WrongPassphraseError);
}

TEST(CryptoKeyFile, DefaultsAreRfc9106LowMemoryArgon2id) {
  // RFC 9106 section 4: t = 3 passes, m = 2^16 KiB.
  EXPECT_EQ(KdfParams::recommended().opslimit, 3u);
  EXPECT_EQ(KdfParams::recommended().memlimit, 64u << 20);
  EXPECT_EQ(to_base64("\x01\x02\x03"), "AQID");
  EXPECT_EQ(from_base64("AQID"), std::optional<std::string>("\x01\x02\x03"));
  EXPECT_FALSE(from_base64("AQI"));
}
