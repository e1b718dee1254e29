#pragma once
// The key file: a small JSON document holding the data key wrapped (XChaCha20-Poly1305) by a
// key-encryption key that Argon2id derives from the passphrase. Changing the passphrase
// re-wraps the same data key, so no data is rewritten. Format: docs/encryption-format.md.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "crypto/data_key.hpp"
#include "crypto/secure_bytes.hpp"

namespace crm::crypto {

inline constexpr int kKeyFileVersion = 1;

struct KdfParams {
  std::uint64_t opslimit = 0;
  std::uint64_t memlimit = 0;  // bytes
  // 3 passes over 64 MiB: RFC 9106 section 4's "uniformly safe option" when memory is scarce
  // (the cost every new key file gets). Memory, not passes, is what a guessing attacker pays
  // for; 64 MiB keeps a nightly job on a small machine light and costs about 0.2 s a command,
  // where libsodium's MODERATE (256 MiB) took 1.1 s here (page faults included) and 256 MiB
  // more peak memory. Key files keep the parameters they were written with.
  static KdfParams recommended();
  // The smallest Argon2id accepts (1 pass, 8 KiB): for tests only, offers no protection.
  static KdfParams minimum();
};

struct KeyFile {
  int version = kKeyFileVersion;
  KdfParams kdf;
  std::string salt;         // crypto_pwhash_SALTBYTES raw bytes
  std::string nonce;        // crypto_aead_xchacha20poly1305_ietf_NPUBBYTES raw bytes
  std::string wrapped_key;  // 32-byte data key + 16-byte tag
};

// A damaged or unsupported key file; `name` (the caller's) is in the message.
class KeyFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The passphrase does not open the key file. The AEAD cannot tell a wrong passphrase from a
// wrapped key altered on disk; the message says both.
class WrongPassphraseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CreatedKey {
  KeyFile file;
  DataKey key;
};

// A new random data key wrapped under the passphrase.
CreatedKey create_key(const Passphrase& passphrase, const KdfParams& params = KdfParams::recommended());
// The data key, or WrongPassphraseError naming `name`.
DataKey unlock_key(const KeyFile& file, const Passphrase& passphrase, std::string_view name);
// The same data key wrapped under a new passphrase (new salt, nonce and the given params).
KeyFile rewrap_key(const KeyFile& file, const Passphrase& old_passphrase, const Passphrase& new_passphrase,
                   std::string_view name, const KdfParams& params = KdfParams::recommended());

std::string key_file_to_json(const KeyFile& file);
// Throws KeyFileError naming `name` for bad JSON, a missing field, a wrong length, an
// unsupported version or algorithm, or KDF limits outside what this program accepts (a
// hostile file must not make it allocate gigabytes).
KeyFile parse_key_file(std::string_view json, std::string_view name);

}  // namespace crm::crypto
