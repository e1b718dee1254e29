#pragma once
// A Sink that encrypts everything written into a downstream Sink (crypto::StreamEncryptor),
// so a part is produced as  plain -> [ZstdSink] -> EncryptingSink -> AtomicFile.
// finish() must be called (after the ZstdSink's finish()) to write the FINAL chunk; a part
// without it is refused as truncated when read.
#include <string>
#include <string_view>

#include "crypto/encrypted_stream.hpp"
#include "engine/io/sink.hpp"

namespace crm::engine {

class EncryptingSink final : public Sink {
 public:
  // binding: set and role ("<set>/<part>"), checked again when the part is read.
  EncryptingSink(Sink& downstream, const crypto::DataKey& key, std::string_view binding,
                 std::size_t chunk_bytes = crypto::kDefaultChunkBytes);
  void write(std::string_view bytes) override { encryptor_.write(bytes); }
  void finish() { encryptor_.finish(); }

 private:
  crypto::StreamEncryptor encryptor_;
};

}  // namespace crm::engine
