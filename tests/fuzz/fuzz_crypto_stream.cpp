// The encrypted-part reader (header, framing, decryption) on arbitrary bytes, and on real
// streams the fuzzer then damages. Byte 0 picks the chunk size, byte 1 the mode, bytes 2-3 a
// position; the rest is the input.
//   mode 0: the input is read as an encrypted part: a StreamError or nothing, never a crash;
//   mode 1: the input is encrypted and read back: the same bytes, or trap;
//   mode 2: ... with one byte flipped at the position: must be refused, or trap;
//   mode 3: ... cut at the position: must be refused, or trap.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "crypto/encrypted_stream.hpp"

namespace {

using namespace crm::crypto;

const DataKey& fixed_key() {
  static const DataKey key(SecureBytes(reinterpret_cast<const unsigned char*>("0123456789abcdef0123456789abcdef"), 32));
  return key;
}

// Reads through the pull interface in pieces whose sizes come from the input, so partial
// reads at every offset are exercised, not only whole-buffer decryption.
bool decrypts_to(std::string_view cipher, const std::string* expected, std::size_t piece) {
  StreamDecryptor dec(fixed_key(), "set/data.sql", "fuzz", [&cipher, piece](char* buf, std::size_t cap) {
    std::size_t n = std::min({cap, cipher.size(), piece});
    std::memcpy(buf, cipher.data(), n);
    cipher.remove_prefix(n);
    return n;
  });
  std::string out;
  char buf[333];
  while (std::size_t n = dec.read(buf, sizeof buf)) out.append(buf, n);
  return expected == nullptr || out == *expected;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  std::size_t chunk = kMinChunkBytes * (1 + data[0] % 8);
  int mode = data[1] % 4;
  std::size_t pos = static_cast<std::size_t>(data[2]) << 8 | data[3];
  std::size_t piece = 1 + data[2] % 97;
  std::string input(reinterpret_cast<const char*>(data + 4), size - 4);
  if (mode == 0) {
    try {
      decrypts_to(input, nullptr, piece);
    } catch (const StreamError&) {
    }
    return 0;
  }
  std::string cipher = encrypt_buffer(fixed_key(), "set/data.sql", input, chunk);
  if (mode == 1) {
    if (!decrypts_to(cipher, &input, piece)) __builtin_trap();
    return 0;
  }
  if (mode == 2) cipher[pos % cipher.size()] = static_cast<char>(cipher[pos % cipher.size()] ^ (1 + data[0] % 255));
  if (mode == 3) cipher.resize(pos % cipher.size());
  try {
    decrypts_to(cipher, &input, piece);
  } catch (const StreamError&) {
    return 0;
  }
  __builtin_trap();  // damaged and still accepted
}
