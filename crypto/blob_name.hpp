#pragma once
// Content-derived names for attachment blobs: keyed BLAKE2b-256 (crypto_generichash) of the
// plaintext under the data key's blob-name subkey, as 64 hex digits. Equal files share a name
// within one repository (deduplication) but are not recognisable across repositories, and the
// name reveals nothing about the content without the key.
#include <string>
#include <string_view>

#include "crypto/data_key.hpp"

namespace crm::crypto {

class BlobNamer {
 public:
  explicit BlobNamer(const DataKey& key);
  ~BlobNamer();
  BlobNamer(const BlobNamer&) = delete;
  BlobNamer& operator=(const BlobNamer&) = delete;
  void update(std::string_view bytes);
  // The name; the namer cannot be updated afterwards.
  std::string hex();

 private:
  void* state_;  // crypto_generichash_state (keyed), in sodium_malloc'd memory
  bool done_ = false;
};

std::string blob_name(const DataKey& key, std::string_view content);

}  // namespace crm::crypto
