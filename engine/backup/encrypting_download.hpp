#pragma once
// An attachment encrypted while it downloads (storage::BodyTransform): the received plaintext
// goes through a StreamEncryptor straight into the download's file, so a folder set's staged
// attachments are ciphertext from their first byte and are written once. What the file holds
// (its size and XXH3-128, for the plain summary) is handed to `on_stored` when the body ends.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "crypto/encrypted_stream.hpp"
#include "engine/io/hash.hpp"
#include "storage-api/body_transform.hpp"

namespace crm::engine {

struct StoredFile {
  std::uint64_t size = 0;
  std::string xxh3_128;
};

class EncryptingDownload final : public storage::BodyTransform {
 public:
  // binding: "<set>/attachments/<bucket path>", as a sealed attachment of a folder set has it.
  EncryptingDownload(const crypto::DataKey& key, std::string_view binding, Output out,
                     std::function<void(StoredFile)> on_stored);
  void write(std::string_view received) override { encryptor_.write(received); }
  void finish() override;

 private:
  void store(std::string_view cipher);

  Output out_;
  std::function<void(StoredFile)> on_stored_;
  Xxh3Hasher stored_hash_;
  std::uint64_t stored_bytes_ = 0;
  crypto::StreamEncryptor encryptor_;  // last: its constructor already writes the header through store()
};

}  // namespace crm::engine
