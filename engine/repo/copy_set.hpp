#pragma once
// Copying a complete set from one repository into another under the same prefix (`backup
// --copy-to`). Every part is read through the source's open_part and checked against the
// manifest (size and XXH3-128) as it is staged, so a damaged source never becomes a
// complete-looking copy; attachments whose content the target already stores are skipped.
// The target's reservation commits with the manifest last, so a copy that fails or is killed
// leaves no complete-looking set there.
#include <cstdint>
#include <functional>
#include <string>

#include "engine/repo/repository.hpp"

namespace crm::engine::repo {

struct SetCopyStats {
  std::uint64_t files = 0;                // SQL files and attachments staged
  std::uint64_t bytes = 0;                // bytes read from the source
  std::uint64_t attachments_skipped = 0;  // content the target already had
};

// Stages set (complete, with a manifest, in source) into writer (reserved in the target under
// set's prefix) and commits it. check_interrupted runs between parts and throws to stop.
SetCopyStats copy_set(Repository& source, const SetInfo& set, SetReservation& writer,
                      const std::function<void()>& check_interrupted);

}  // namespace crm::engine::repo
