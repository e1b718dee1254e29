#include "engine/attachments/attachments.hpp"

namespace crm::engine {

ObjectRecord object_record(const ManifestObject& o) {
  return {o.path, o.size, o.xxh3_128, o.content_type, o.cache_control, o.etag, o.last_modified};
}

std::vector<ObjectRecord> manifest_objects(const Manifest& m) {
  std::vector<ObjectRecord> out;
  out.reserve(m.objects.size());
  for (const auto& o : m.objects) out.push_back(object_record(o));
  return out;
}

}  // namespace crm::engine
