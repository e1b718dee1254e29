// S3Repository::stored_attachment_reuse: an unchanged bucket's backup downloads and uploads no
// attachment. "Unchanged" is the folder repository's rule (engine/attachments/incremental.cpp):
// the listing's size, ETag and time equal the newest complete set's record; its content is then
// the blob that record names, which must be stored at that size.
#include <map>
#include <memory>

#include "engine/repo/s3_repository.hpp"
#include "engine/repo/unchanged_attachment_reuse.hpp"

namespace crm::engine::repo {

AttachmentReuse S3Repository::stored_attachment_reuse(const std::string& exclude_prefix) {
  std::optional<Manifest> previous;
  for (auto& s : list_sets())  // newest first
    if (s.state == SetState::Complete && s.name.prefix != exclude_prefix && s.manifest &&
        s.manifest->attachments_included && uses_blobs(*s.manifest)) {
      previous = std::move(s.manifest);
      break;
    }
  if (!previous) return {};
  auto stored = blob_sizes();
  auto unchanged = std::make_shared<std::map<std::string, ManifestObject>>();
  for (auto& o : previous->objects) {
    auto it = stored.find(o.blob_name());
    if (it != stored.end() && it->second == o.size && !o.etag.empty()) unchanged->emplace(o.path, std::move(o));
  }
  if (unchanged->empty()) return {};
  return reuse_unchanged(std::move(unchanged));
}

}  // namespace crm::engine::repo
