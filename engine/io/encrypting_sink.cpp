#include "engine/io/encrypting_sink.hpp"

namespace crm::engine {

EncryptingSink::EncryptingSink(Sink& downstream, const crypto::DataKey& key, std::string_view binding,
                               std::size_t chunk_bytes)
    : encryptor_(key, binding, [&downstream](std::string_view b) { downstream.write(b); }, chunk_bytes) {}

}  // namespace crm::engine
