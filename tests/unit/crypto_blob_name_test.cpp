// Blob names: stable within a key, unrelated across keys, not the plain content hash.
#include "crypto/blob_name.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

using namespace crm::crypto;

TEST(CryptoBlobName, SameContentSameKeySameNameStreamingAgrees) {
  DataKey key = DataKey::generate();
  std::string content(100000, 'a');
  std::string name = blob_name(key, content);
  EXPECT_EQ(name.size(), 64u);
  EXPECT_EQ(name.find_first_not_of("0123456789abcdef"), std::string::npos) << name;
  BlobNamer namer(key);
  namer.update(std::string_view(content).substr(0, 12345));
  namer.update(std::string_view(content).substr(12345));
  EXPECT_EQ(namer.hex(), name);
  EXPECT_NE(blob_name(key, content + "b"), name);
}

TEST(CryptoBlobName, DifferentKeysGiveUnrelatedNamesAndNotThePlainHash) {
  DataKey a = DataKey::generate(), b = DataKey::generate();
  EXPECT_NE(blob_name(a, "invoice.pdf bytes"), blob_name(b, "invoice.pdf bytes"));
  unsigned char plain[32];
  crypto_generichash(plain, sizeof plain, reinterpret_cast<const unsigned char*>("x"), 1, nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, plain, sizeof plain);
  EXPECT_NE(blob_name(a, "x"), std::string(hex));
}

TEST(CryptoBlobName, NamerIsSingleUse) {
  BlobNamer namer(DataKey::generate());
  namer.hex();
  EXPECT_THROW(namer.update("x"), std::logic_error);
  EXPECT_THROW(namer.hex(), std::logic_error);
}
