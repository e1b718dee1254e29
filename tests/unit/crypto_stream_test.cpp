// Encrypted part streams: round trips at every size boundary, and every way a part can be
// damaged or misplaced is refused with an error naming the part.
#include "crypto/encrypted_stream.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

using namespace crm::crypto;

namespace {

constexpr std::size_t kChunk = 64;  // small, so "many chunks" stays small
const std::string kBinding = "backup-2026-12-03-020000/data.sql";
const std::string kPart = "backup-2026-12-03-020000/data.sql.zst.enc";

std::string random_text(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

StreamError::Kind decrypt_error_kind(const DataKey& key, std::string_view cipher, const std::string& binding = kBinding) {
  try {
    decrypt_buffer(key, binding, kPart, cipher);
  } catch (const StreamError& e) {
    EXPECT_NE(std::string(e.what()).find(kPart), std::string::npos) << e.what();
    return e.kind();
  }
  ADD_FAILURE() << "decryption succeeded";
  return StreamError::Kind::not_encrypted;
}

std::size_t cipher_size(std::size_t plain, std::size_t chunk) {
  std::size_t chunks = plain / chunk + 1;  // the FINAL chunk always exists (it may be full or empty)
  if (plain && plain % chunk == 0) chunks = plain / chunk;
  return kStreamHeaderBytes + plain + chunks * kChunkOverheadBytes;
}

}  // namespace

TEST(CryptoStream, RoundTripsAtEverySizeBoundary) {
  DataKey key = DataKey::generate();
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, kChunk - 1, kChunk, kChunk + 1, 7 * kChunk, 7 * kChunk + 13}) {
    std::string plain = random_text(n, static_cast<unsigned>(n));
    std::string cipher = encrypt_buffer(key, kBinding, plain, kChunk);
    EXPECT_EQ(cipher.size(), cipher_size(n, kChunk)) << n;
    EXPECT_EQ(decrypt_buffer(key, kBinding, kPart, cipher), plain) << n;
    if (n >= 16) {
      EXPECT_EQ(cipher.find(plain.substr(0, 16)), std::string::npos) << "plaintext visible, size " << n;
    }
  }
}

TEST(CryptoStream, DefaultChunkSizeRoundTripsWithOddWritesAndReads) {
  DataKey key = DataKey::generate();
  std::string plain = random_text(3 * kDefaultChunkBytes + 1234, 7);
  std::string cipher;
  StreamEncryptor enc(key, kBinding, [&](std::string_view b) { cipher.append(b); });
  std::mt19937 rng(1);
  for (std::size_t off = 0; off < plain.size();) {
    std::size_t n = std::min<std::size_t>(rng() % 20000, plain.size() - off);
    enc.write(std::string_view(plain).substr(off, n));
    off += n;
  }
  enc.finish();
  EXPECT_EQ(enc.plaintext_bytes(), plain.size());
  EXPECT_EQ(cipher.size(), cipher_size(plain.size(), kDefaultChunkBytes));

  // Pull with 1..997-byte reads from a source that also hands out odd pieces.
  std::string_view rest = cipher;
  StreamDecryptor dec(key, kBinding, kPart, [&](char* buf, std::size_t cap) {
    std::size_t n = std::min({cap, rest.size(), static_cast<std::size_t>(rng() % 5000 + 1)});
    std::memcpy(buf, rest.data(), n);
    rest.remove_prefix(n);
    return n;
  });
  std::string out;
  char buf[997];
  while (std::size_t n = dec.read(buf, rng() % sizeof buf + 1)) out.append(buf, n);
  EXPECT_EQ(out, plain);
  EXPECT_EQ(dec.read(buf, sizeof buf), 0u);  // stays at the end
}

// Writes of whole chunks are encrypted in place (no staging copy): the chunk boundaries, the
// FINAL chunk and so the stream's size stay those of byte-by-byte writes, whatever the mix.
TEST(CryptoStream, WholeChunkWritesKeepTheChunkingOfSmallWrites) {
  DataKey key = DataKey::generate();
  const std::vector<std::vector<std::size_t>> patterns = {
      {4 * kChunk},                                  // exact multiple: the last full chunk is FINAL
      {kChunk, kChunk},                              // two writes of exactly one chunk
      {kChunk + 1, 3 * kChunk, 0, 2 * kChunk - 1},   // mixed, ending on a boundary
      {5, 10 * kChunk + 3},                          // a held piece before a large write
      {3 * kChunk + 7}};
  for (const auto& sizes : patterns) {
    std::size_t total = 0;
    for (auto n : sizes) total += n;
    const std::string plain = random_text(total, static_cast<unsigned>(total));
    std::string big_writes, byte_writes;
    StreamEncryptor a(key, kBinding, [&](std::string_view b) { big_writes.append(b); }, kChunk);
    StreamEncryptor b(key, kBinding, [&](std::string_view c) { byte_writes.append(c); }, kChunk);
    std::size_t off = 0;
    for (auto n : sizes) {
      a.write(std::string_view(plain).substr(off, n));
      off += n;
    }
    for (char c : plain) b.write(std::string_view(&c, 1));
    a.finish();
    b.finish();
    EXPECT_EQ(big_writes.size(), cipher_size(total, kChunk)) << total;
    EXPECT_EQ(big_writes.size(), byte_writes.size()) << total;
    EXPECT_EQ(decrypt_buffer(key, kBinding, kPart, big_writes), plain) << total;
  }
}

TEST(CryptoStream, SamePlaintextEncryptsDifferentlyEachTime) {
  DataKey key = DataKey::generate();
  EXPECT_NE(encrypt_buffer(key, kBinding, "same"), encrypt_buffer(key, kBinding, "same"));
}

TEST(CryptoStream, EveryFlippedByteIsDetected) {
  DataKey key = DataKey::generate();
  std::string cipher = encrypt_buffer(key, kBinding, random_text(3 * kChunk + 5, 3), kChunk);
  for (std::size_t i = 0; i < cipher.size(); ++i) {
    std::string bad = cipher;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto kind = decrypt_error_kind(key, bad);
    if (i < 8) {
      EXPECT_EQ(kind, StreamError::Kind::not_encrypted) << i;
    } else if (i < 12) {
      EXPECT_EQ(kind, StreamError::Kind::unsupported) << i;  // version
    } else if (i < 16) {  // chunk size: out of range, or in range and caught by the associated data
      EXPECT_TRUE(kind == StreamError::Kind::unsupported || kind == StreamError::Kind::authentication) << i;
    } else {
      EXPECT_EQ(kind, StreamError::Kind::authentication) << i;
    }
  }
}

TEST(CryptoStream, AChunkSizeChangedToAnotherValidValueIsDetected) {
  DataKey key = DataKey::generate();
  std::string cipher = encrypt_buffer(key, kBinding, random_text(4 * kChunk, 4), kChunk);
  cipher[12] = static_cast<char>(2 * kChunk);  // 128: still in range, but bound by the associated data
  EXPECT_EQ(decrypt_error_kind(key, cipher), StreamError::Kind::authentication);
}

TEST(CryptoStream, EveryTruncationIsDetected) {
  DataKey key = DataKey::generate();
  for (std::size_t plain_size : {std::size_t{0}, 3 * kChunk, 3 * kChunk + 5}) {
    std::string cipher = encrypt_buffer(key, kBinding, random_text(plain_size, 5), kChunk);
    for (std::size_t cut = 0; cut < cipher.size(); ++cut) {
      auto kind = decrypt_error_kind(key, std::string_view(cipher).substr(0, cut));
      EXPECT_TRUE(kind == StreamError::Kind::truncated || kind == StreamError::Kind::authentication)
          << "size " << plain_size << " cut at " << cut;
      // At a chunk boundary nothing is damaged: only the missing FINAL chunk can tell.
      std::size_t body = cut > kStreamHeaderBytes ? cut - kStreamHeaderBytes : 0;
      if (cut <= kStreamHeaderBytes || body % (kChunk + kChunkOverheadBytes) == 0) {
        EXPECT_EQ(kind, StreamError::Kind::truncated) << "size " << plain_size << " cut at " << cut;
      }
    }
  }
}

TEST(CryptoStream, ReorderedDroppedOrDuplicatedChunksAreDetected) {
  DataKey key = DataKey::generate();
  std::string cipher = encrypt_buffer(key, kBinding, random_text(3 * kChunk + 5, 6), kChunk);
  const std::size_t c = kChunk + kChunkOverheadBytes;
  std::string header = cipher.substr(0, kStreamHeaderBytes);
  std::string c0 = cipher.substr(kStreamHeaderBytes, c), c1 = cipher.substr(kStreamHeaderBytes + c, c);
  std::string rest = cipher.substr(kStreamHeaderBytes + 2 * c);
  EXPECT_EQ(decrypt_error_kind(key, header + c1 + c0 + rest), StreamError::Kind::authentication);  // swapped
  EXPECT_EQ(decrypt_error_kind(key, header + c1 + rest), StreamError::Kind::authentication);       // dropped
  EXPECT_EQ(decrypt_error_kind(key, header + c0 + c0 + c1 + rest), StreamError::Kind::authentication);  // replayed
}

TEST(CryptoStream, TrailingBytesAfterTheFinalChunkAreRefused) {
  DataKey key = DataKey::generate();
  // A full final chunk is read whole; what follows it is seen as trailing data.
  std::string full = encrypt_buffer(key, kBinding, random_text(2 * kChunk, 8), kChunk);
  EXPECT_EQ(decrypt_error_kind(key, full + "x"), StreamError::Kind::trailing_data);
  EXPECT_EQ(decrypt_error_kind(key, full + full), StreamError::Kind::trailing_data);
  // A short final chunk has no length field: appended bytes become part of it and break its tag.
  std::string short_last = encrypt_buffer(key, kBinding, "payload", kChunk);
  EXPECT_EQ(decrypt_error_kind(key, short_last + "x"), StreamError::Kind::authentication);
  EXPECT_EQ(decrypt_error_kind(key, short_last + std::string(kChunk + kChunkOverheadBytes, 'x')),
            StreamError::Kind::authentication);
}

TEST(CryptoStream, APartFromAnotherSetOrRoleOrKeyIsRefused) {
  DataKey key = DataKey::generate();
  std::string cipher = encrypt_buffer(key, kBinding, "COPY public.contacts FROM stdin;\n", kChunk);
  EXPECT_EQ(decrypt_error_kind(key, cipher, "backup-2026-12-04-020000/data.sql"), StreamError::Kind::authentication);
  EXPECT_EQ(decrypt_error_kind(key, cipher, "backup-2026-12-03-020000/schema.sql"), StreamError::Kind::authentication);
  EXPECT_EQ(decrypt_error_kind(DataKey::generate(), cipher), StreamError::Kind::authentication);
  // The whole header and chunks of another part with the same key: refused too.
  std::string other = encrypt_buffer(key, "backup-2026-12-03-020000/roles.sql", "CREATE ROLE x;\n", kChunk);
  EXPECT_EQ(decrypt_error_kind(key, other), StreamError::Kind::authentication);
}

TEST(CryptoStream, PlainFilesAndHostileHeadersAreRefused) {
  DataKey key = DataKey::generate();
  EXPECT_EQ(decrypt_error_kind(key, "SET statement_timeout = 0;\n"), StreamError::Kind::not_encrypted);
  EXPECT_EQ(decrypt_error_kind(key, ""), StreamError::Kind::truncated);
  std::string cipher = encrypt_buffer(key, kBinding, "x", kChunk);
  std::string huge = cipher;
  huge[15] = static_cast<char>(0x7f);  // chunk size about 2 GiB: refused before any allocation
  EXPECT_EQ(decrypt_error_kind(key, huge), StreamError::Kind::unsupported);
  std::string v2 = cipher;
  v2[8] = 2;
  EXPECT_EQ(decrypt_error_kind(key, v2), StreamError::Kind::unsupported);
}

TEST(CryptoStream, WriteAfterFinishIsALogicError) {
  DataKey key = DataKey::generate();
  std::string out;
  StreamEncryptor enc(key, kBinding, [&](std::string_view b) { out.append(b); }, kChunk);
  enc.finish();
  EXPECT_THROW(enc.write("late"), std::logic_error);
  EXPECT_THROW(StreamEncryptor(key, kBinding, [](std::string_view) {}, kMaxChunkBytes + 1), std::invalid_argument);
}
