#include "engine/backup/encrypting_download.hpp"

namespace crm::engine {

EncryptingDownload::EncryptingDownload(const crypto::DataKey& key, std::string_view binding, Output out,
                                       std::function<void(StoredFile)> on_stored)
    : out_(std::move(out)),
      on_stored_(std::move(on_stored)),
      encryptor_(key, binding, [this](std::string_view cipher) { store(cipher); }) {}

void EncryptingDownload::store(std::string_view cipher) {
  out_(cipher);
  stored_hash_.update(cipher);
  stored_bytes_ += cipher.size();
}

void EncryptingDownload::finish() {
  encryptor_.finish();
  on_stored_({stored_bytes_, stored_hash_.hex()});
}

}  // namespace crm::engine
