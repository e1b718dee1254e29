// Known answers: a key file and an encrypted part generated once (tests/data/crypto/README.md)
// with a fixed passphrase must keep decrypting to the same bytes, so the format (KDF, key
// wrapping, subkeys, header, framing, associated data, blob names) never changes by accident.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
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

// docs/encryption-format.md followed step by step with bare libsodium calls (none of
// crypto/'s reading code), on the committed fixtures: the document is enough to read a part.
TEST(CryptoKnownAnswer, TheDocumentedStepsAloneDecryptTheCommittedPart) {
  ASSERT_GE(sodium_init(), 0);
  KeyFile file = parse_key_file(slurp("key.json"), "key.json");  // JSON and base64 only
  const std::string pass = kPassphrase;
  unsigned char kek[32];
  ASSERT_EQ(crypto_pwhash(kek, sizeof kek, pass.data(), pass.size(),
                          reinterpret_cast<const unsigned char*>(file.salt.data()), file.kdf.opslimit,
                          static_cast<std::size_t>(file.kdf.memlimit), crypto_pwhash_ALG_ARGON2ID13),
            0);
  const std::string wrap_ad = "crmbackup-native key v1";
  unsigned char data_key[32];
  unsigned long long data_key_len = 0;
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                data_key, &data_key_len, nullptr, reinterpret_cast<const unsigned char*>(file.wrapped_key.data()),
                file.wrapped_key.size(), reinterpret_cast<const unsigned char*>(wrap_ad.data()), wrap_ad.size(),
                reinterpret_cast<const unsigned char*>(file.nonce.data()), kek),
            0);
  ASSERT_EQ(data_key_len, 32u);
  unsigned char stream_key[32];
  ASSERT_EQ(crypto_kdf_derive_from_key(stream_key, sizeof stream_key, 1, "crmbkup1", data_key), 0);

  const std::string part = slurp("data.sql.enc");
  ASSERT_GE(part.size(), 40u);
  ASSERT_EQ(part.substr(0, 8), "CRMBKENC");
  auto u32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(part[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(part[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(part[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(part[at + 3])) << 24;
  };
  ASSERT_EQ(u32(8), 1u);
  const std::size_t chunk = u32(12);
  EXPECT_EQ(chunk, 64u);
  crypto_secretstream_xchacha20poly1305_state st;
  ASSERT_EQ(crypto_secretstream_xchacha20poly1305_init_pull(&st, reinterpret_cast<const unsigned char*>(part.data()) + 16,
                                                            stream_key),
            0);
  const std::string ad = part.substr(0, 16) + kBinding;
  std::string plain;
  std::size_t pos = 40;
  unsigned char tag = 0;
  int chunks = 0;
  while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    ASSERT_LT(pos, part.size()) << "no FINAL chunk";
    std::size_t n = std::min(chunk + 17, part.size() - pos);
    std::string out(chunk, '\0');
    unsigned long long len = 0;
    ASSERT_EQ(crypto_secretstream_xchacha20poly1305_pull(
                  &st, reinterpret_cast<unsigned char*>(out.data()), &len, &tag,
                  reinterpret_cast<const unsigned char*>(part.data()) + pos, n,
                  reinterpret_cast<const unsigned char*>(ad.data()), ad.size()),
              0)
        << "chunk " << chunks;
    plain.append(out.data(), len);
    pos += n;
    ++chunks;
  }
  EXPECT_EQ(pos, part.size());
  EXPECT_EQ(chunks, 6);
  EXPECT_EQ(plain, slurp("data.sql"));

  unsigned char name_key[32], name[32];
  ASSERT_EQ(crypto_kdf_derive_from_key(name_key, sizeof name_key, 2, "crmbkup1", data_key), 0);
  crypto_generichash(name, sizeof name, reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), name_key,
                     sizeof name_key);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, name, sizeof name);
  EXPECT_EQ(std::string(hex), slurp("data.sql.blob-name").substr(0, 64));
  sodium_memzero(kek, sizeof kek);
  sodium_memzero(data_key, sizeof data_key);
}
