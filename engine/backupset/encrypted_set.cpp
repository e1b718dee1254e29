#include "engine/backupset/encrypted_set.hpp"

namespace crm::engine {

bool is_encrypted(const Manifest& m) {
  auto it = m.options.find(std::string(kEncryptionOption));
  return it != m.options.end() && !it->second.empty();
}

bool is_encrypted(const SetInfo& s) { return s.manifest && is_encrypted(*s.manifest); }

std::string part_binding(const std::string& prefix, std::string_view part) { return prefix + "/" + std::string(part); }

std::string attachment_binding(const std::string& prefix, std::string_view path) {
  return prefix + "/attachments/" + std::string(path);
}

std::string blob_binding(std::string_view blob_name) { return "blobs/" + std::string(blob_name); }


}  // namespace crm::engine
