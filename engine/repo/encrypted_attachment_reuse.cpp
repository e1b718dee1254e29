#include "engine/repo/encrypted_attachment_reuse.hpp"

#include "engine/backupset/encrypted_set.hpp"
#include "engine/repo/readable_set.hpp"
#include "engine/repo/s3_repository.hpp"
#include "engine/repo/unchanged_attachment_reuse.hpp"

namespace crm::engine::repo {

EncryptedAttachmentReuse encrypted_attachment_reuse(Repository& repo, const std::string& exclude_prefix,
                                                    const crypto::DataKey& key) {
  auto* s3 = dynamic_cast<S3Repository*>(&repo);
  if (!s3) return {};
  std::optional<SetInfo> previous;
  for (auto& s : repo.list_sets())  // newest first
    if (s.state == SetState::Complete && s.name.prefix != exclude_prefix && is_encrypted(s) &&
        s.manifest->attachments_included && uses_blobs(*s.manifest)) {
      previous = std::move(s);
      break;
    }
  if (!previous) return {};
  Manifest full;
  try {
    full = read_real_manifest(repo, *previous, key);
  } catch (const std::exception&) {
    return {};  // made under another key, or damaged: download everything
  }
  std::map<std::string, const ManifestObject*> summary_of_blob;
  for (const auto& o : previous->manifest->objects) summary_of_blob[o.blob_name()] = &o;
  auto stored = s3->blob_sizes();
  auto unchanged = std::make_shared<std::map<std::string, ManifestObject>>();  // path -> real record
  auto blob_of_path = std::make_shared<std::map<std::string, ManifestObject>>();
  for (auto& o : full.objects) {
    auto summary = summary_of_blob.find(o.blob);
    if (o.blob.empty() || o.etag.empty() || summary == summary_of_blob.end()) continue;
    auto it = stored.find(o.blob);
    if (it == stored.end() || it->second != summary->second->size) continue;
    blob_of_path->emplace(o.path, *summary->second);
    unchanged->emplace(o.path, std::move(o));
  }
  if (unchanged->empty()) return {};
  EncryptedAttachmentReuse out;
  out.stored_blob_of_path = blob_of_path;
  out.reuse = reuse_unchanged(std::move(unchanged));
  return out;
}

}  // namespace crm::engine::repo
