#pragma once
// An encrypted backup to S3 need not download an attachment unchanged since the newest complete
// encrypted set (the listing's size, ETag and time equal that set's record, as for plain sets)
// whose blob is still stored: the set lists the same blob again. The previous set's record is
// in its encrypted manifest, so this needs the data key.
#include <map>
#include <memory>
#include <string>

#include "crypto/data_key.hpp"
#include "engine/repo/repository.hpp"

namespace crm::engine::repo {

struct EncryptedAttachmentReuse {
  AttachmentReuse reuse;  // empty: download everything
  // bucket path -> the previous summary's entry for its blob (name, stored size and hash), for
  // every attachment reuse may answer for.
  std::shared_ptr<const std::map<std::string, ManifestObject>> stored_blob_of_path;
};

// Nothing to reuse (and no error) when the repository is not S3, holds no such set, or that
// set's manifest does not decrypt under key.
EncryptedAttachmentReuse encrypted_attachment_reuse(Repository& repo, const std::string& exclude_prefix,
                                                    const crypto::DataKey& key);

}  // namespace crm::engine::repo
