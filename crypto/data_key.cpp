#include "crypto/data_key.hpp"

#include <sodium.h>

#include <stdexcept>

#include "crypto/sodium_init.hpp"

namespace crm::crypto {

static_assert(sizeof(kSubkeyContext) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(kDataKeyBytes == crypto_kdf_KEYBYTES);

DataKey DataKey::generate() {
  ensure_sodium();
  SecureBytes bytes(kDataKeyBytes);
  randombytes_buf(bytes.data(), bytes.size());
  return DataKey(std::move(bytes));
}

DataKey::DataKey(SecureBytes bytes) : bytes_(std::move(bytes)) {
  if (bytes_.size() != kDataKeyBytes) throw std::invalid_argument("a data key has exactly 32 bytes");
}

SecureBytes derive_subkey(const DataKey& key, SubkeyPurpose purpose, std::size_t bytes) {
  ensure_sodium();
  SecureBytes out(bytes);
  if (crypto_kdf_derive_from_key(out.data(), out.size(), static_cast<std::uint64_t>(purpose), kSubkeyContext,
                                 key.bytes().data()) != 0) {
    throw std::invalid_argument("cannot derive a subkey of this length");
  }
  return out;
}

}  // namespace crm::crypto
