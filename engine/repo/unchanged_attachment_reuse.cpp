#include "engine/repo/unchanged_attachment_reuse.hpp"

namespace crm::engine::repo {

AttachmentReuse reuse_unchanged(std::shared_ptr<const std::map<std::string, ManifestObject>> unchanged) {
  return [unchanged = std::move(unchanged)](const storage::ObjectEntry& listed,
                                            const std::filesystem::path&) -> std::optional<ObjectRecord> {
    auto it = unchanged->find(listed.name);
    if (it == unchanged->end()) return std::nullopt;
    const ManifestObject& prev = it->second;
    if (prev.size != listed.size || prev.etag != listed.etag || prev.last_modified != listed.last_modified)
      return std::nullopt;
    ObjectRecord r = object_record(prev);
    r.downloaded = false;
    return r;
  };
}

}  // namespace crm::engine::repo
