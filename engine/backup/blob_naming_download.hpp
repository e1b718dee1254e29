#pragma once
// An attachment bound for an S3 blob, named while it downloads (storage::BodyTransform): the
// bytes go to the file unchanged and through the keyed BLAKE2b of crypto::BlobNamer, so sealing
// knows the blob's name without reading the file a second time. The blob's encryption is bound
// to that name, which exists only once the whole body has arrived; it is encrypted when sealed.
#include <functional>
#include <string>
#include <string_view>

#include "crypto/blob_name.hpp"
#include "storage-api/body_transform.hpp"

namespace crm::engine {

class BlobNamingDownload final : public storage::BodyTransform {
 public:
  BlobNamingDownload(const crypto::DataKey& key, Output out, std::function<void(std::string blob)> on_named);
  void write(std::string_view received) override;
  void finish() override { on_named_(namer_.hex()); }

 private:
  Output out_;
  std::function<void(std::string)> on_named_;
  crypto::BlobNamer namer_;
};

}  // namespace crm::engine
