#pragma once
// The reuse answer both S3 backups share (plain and encrypted): an attachment whose listing has
// the size, ETag and time its record in the newest set has is unchanged; its record is taken
// over and nothing is downloaded.
#include <map>
#include <memory>
#include <string>

#include "engine/repo/repository.hpp"

namespace crm::engine::repo {

// unchanged: bucket path -> the record of an attachment whose stored content is known present.
AttachmentReuse reuse_unchanged(std::shared_ptr<const std::map<std::string, ManifestObject>> unchanged);

}  // namespace crm::engine::repo
