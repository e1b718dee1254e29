#include "crypto/blob_name.hpp"

#include <sodium.h>

#include <new>
#include <stdexcept>

#include "crypto/sodium_init.hpp"

namespace crm::crypto {
namespace {
constexpr std::size_t kNameBytes = 32;
}

BlobNamer::BlobNamer(const DataKey& key) {
  ensure_sodium();
  state_ = sodium_malloc(sizeof(crypto_generichash_state));
  if (!state_) throw std::bad_alloc();
  SecureBytes k = derive_subkey(key, SubkeyPurpose::blob_name, crypto_generichash_KEYBYTES);
  crypto_generichash_init(static_cast<crypto_generichash_state*>(state_), k.data(), k.size(), kNameBytes);
}

BlobNamer::~BlobNamer() { sodium_free(state_); }

void BlobNamer::update(std::string_view bytes) {
  if (done_) throw std::logic_error("BlobNamer::update after hex()");
  crypto_generichash_update(static_cast<crypto_generichash_state*>(state_),
                            reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string BlobNamer::hex() {
  if (done_) throw std::logic_error("BlobNamer::hex called twice");
  unsigned char digest[kNameBytes];
  crypto_generichash_final(static_cast<crypto_generichash_state*>(state_), digest, sizeof digest);
  done_ = true;
  char text[kNameBytes * 2 + 1];
  sodium_bin2hex(text, sizeof text, digest, sizeof digest);
  return std::string(text, kNameBytes * 2);
}

std::string blob_name(const DataKey& key, std::string_view content) {
  BlobNamer namer(key);
  namer.update(content);
  return namer.hex();
}

}  // namespace crm::crypto
