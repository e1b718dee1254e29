// The key file parser on arbitrary bytes: a KeyFile within the accepted limits or a
// KeyFileError, nothing else. (Unlocking is not fuzzed: Argon2id per input would be too slow.)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <sodium.h>

#include "crypto/key_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    crm::crypto::KeyFile f = crm::crypto::parse_key_file(in, "fuzz");
    if (f.salt.size() != crypto_pwhash_SALTBYTES || f.kdf.memlimit > (4ull << 30)) __builtin_trap();
    std::string again = crm::crypto::key_file_to_json(f);
    crm::crypto::KeyFile g = crm::crypto::parse_key_file(again, "fuzz");
    if (g.wrapped_key != f.wrapped_key || g.nonce != f.nonce) __builtin_trap();
  } catch (const crm::crypto::KeyFileError&) {
  }
  return 0;
}
