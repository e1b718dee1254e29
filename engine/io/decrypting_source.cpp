#include "engine/io/decrypting_source.hpp"

namespace crm::engine {

DecryptingSource::DecryptingSource(std::unique_ptr<pg::ByteSource> encrypted, const crypto::DataKey& key,
                                   std::string_view binding, std::string part_name)
    : in_(std::move(encrypted)),
      decryptor_(key, binding, std::move(part_name),
                 [src = in_.get()](char* buf, std::size_t cap) { return src->read(buf, cap); }) {}

}  // namespace crm::engine
