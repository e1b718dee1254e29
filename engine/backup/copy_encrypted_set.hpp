#pragma once
// `--copy-to` of an encrypted set. Each repository has its own data key (its key file), and
// the folder and S3 repositories bind attachments differently (a folder set's files to their
// path, S3 blobs to their keyed name), so the stored bytes cannot simply be copied: the set is
// decrypted from the source (which authenticates every part), then encrypted again with the
// target's key and sealed as the target stores sets. Nothing is copied in clear.
#include <cstdint>
#include <functional>

#include "crypto/data_key.hpp"
#include "engine/repo/copy_set.hpp"
#include "engine/repo/repository.hpp"
#include "engine/repo/repository_key.hpp"

namespace crm::engine {

// set is encrypted and complete in source; writer is reserved in target under its prefix.
// source_key unlocks the source repository, target_key the target's (creating its key file on
// the first encrypted copy). check_interrupted runs between steps and throws to stop.
repo::SetCopyStats copy_encrypted_set(repo::Repository& source, const SetInfo& set, repo::Repository& target,
                                      repo::SetReservation& writer, const repo::KeyUnlocker& source_key,
                                      const repo::KeyUnlocker& target_key,
                                      const std::function<void()>& check_interrupted);

}  // namespace crm::engine
