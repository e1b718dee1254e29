// S3Repository::open_part: a part read in ranged GETs, so memory stays one chunk whatever its size.
#include <algorithm>
#include <cstring>

#include "engine/repo/s3_repository.hpp"

namespace crm::engine::repo {

namespace {

class S3PartReader final : public PartReader {
 public:
  S3PartReader(const s3::S3Config& cfg, std::string key, std::uint64_t size)
      : client_(cfg), key_(std::move(key)), size_(size) {}
  std::size_t read(char* buf, std::size_t cap) override {
    if (pos_ == buf_.size()) {
      if (offset_ >= size_) return 0;
      buf_.clear();
      pos_ = 0;
      std::uint64_t len = std::min<std::uint64_t>(kChunk, size_ - offset_);
      client_.get_object(key_, [&](std::string_view d) { buf_.append(d); },
                         {.offset = offset_, .length = len, .expected_size = size_});
      if (buf_.size() != len)
        throw s3::S3Error(s3::ErrorKind::kIntegrity, "short read of " + key_ + " at offset " + std::to_string(offset_));
      offset_ += len;
    }
    std::size_t n = std::min(cap, buf_.size() - pos_);
    std::memcpy(buf, buf_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  static constexpr std::uint64_t kChunk = 8u << 20;
  s3::Client client_;
  std::string key_;
  std::uint64_t size_;
  std::uint64_t offset_ = 0;
  std::string buf_;
  std::size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<PartReader> S3Repository::open_part(const SetInfo& set, const std::string& name) {
  std::string key = client_.key_for(name);
  // An attachment of a set that stores them as blobs is read from its blob.
  const std::string att_folder = set.name.prefix + "-attachments/";
  if (set.manifest && uses_blobs(*set.manifest) && name.rfind(att_folder, 0) == 0) {
    const std::string path = name.substr(att_folder.size());
    auto it = std::find_if(set.manifest->objects.begin(), set.manifest->objects.end(),
                           [&](const ManifestObject& o) { return o.path == path; });
    if (it == set.manifest->objects.end())
      throw s3::S3Error(s3::ErrorKind::kNoSuchKey, "the backup " + set.name.prefix + " has no attachment " + path);
    key = client_.key_for(std::string(kBlobFolder) + it->blob_name());
  }
  auto head = client_.head_object(key);
  if (!head) throw s3::S3Error(s3::ErrorKind::kNoSuchKey, "no object " + key + " in " + display());
  return std::make_unique<S3PartReader>(opts_.config, key, head->size);
}

}  // namespace crm::engine::repo
