#pragma once
// The random 32-byte data key of a repository or set, and the purpose-bound subkeys derived
// from it with crypto_kdf_derive_from_key (BLAKE2b): one key never serves two purposes.
#include <cstdint>

#include "crypto/secure_bytes.hpp"

namespace crm::crypto {

inline constexpr std::size_t kDataKeyBytes = 32;

class DataKey {
 public:
  static DataKey generate();
  // Takes exactly kDataKeyBytes bytes (throws std::invalid_argument otherwise).
  explicit DataKey(SecureBytes bytes);
  const SecureBytes& bytes() const { return bytes_; }

 private:
  SecureBytes bytes_;
};

// Context (8 bytes, crypto_kdf_CONTEXTBYTES) and subkey ids; part of the format (see
// docs/encryption-format.md): changing them makes every existing set unreadable.
inline constexpr char kSubkeyContext[] = "crmbkup1";
enum class SubkeyPurpose : std::uint64_t {
  stream = 1,     // crypto_secretstream_xchacha20poly1305 key for parts and blobs
  blob_name = 2,  // crypto_generichash key for content-derived blob names
};

SecureBytes derive_subkey(const DataKey& key, SubkeyPurpose purpose, std::size_t bytes);

}  // namespace crm::crypto
