#include "engine/backup/blob_naming_download.hpp"

namespace crm::engine {

BlobNamingDownload::BlobNamingDownload(const crypto::DataKey& key, Output out,
                                       std::function<void(std::string blob)> on_named)
    : out_(std::move(out)), on_named_(std::move(on_named)), namer_(key) {}

void BlobNamingDownload::write(std::string_view received) {
  out_(received);
  namer_.update(received);
}

}  // namespace crm::engine
