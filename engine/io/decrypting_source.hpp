#pragma once
// A ByteSource that decrypts an encrypted part as it is read (crypto::StreamDecryptor), so the
// script executor and verify can read  file -> DecryptingSource -> [ZstdReader] -> splitter
// without a temporary plaintext file. Errors (crypto::StreamError) name the part.
#include <memory>
#include <string>
#include <string_view>

#include "crypto/encrypted_stream.hpp"
#include "pgwire/script/byte_source.hpp"

namespace crm::engine {

class DecryptingSource final : public pg::ByteSource {
 public:
  DecryptingSource(std::unique_ptr<pg::ByteSource> encrypted, const crypto::DataKey& key, std::string_view binding,
                   std::string part_name);
  size_t read(char* buf, size_t cap) override { return decryptor_.read(buf, cap); }

 private:
  std::unique_ptr<pg::ByteSource> in_;
  crypto::StreamDecryptor decryptor_;
};

}  // namespace crm::engine
