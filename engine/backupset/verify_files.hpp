#pragma once
// verify, first half: every file of a set against its manifest (size and XXH3-128), every
// attachment, missing and extra files. Legacy sets without a manifest get what can be
// checked without one: the three SQL files exist.
#include <functional>
#include <string>
#include <vector>

#include "engine/backupset/backup_dir.hpp"

namespace crm::engine {

struct VerifyProblem {
  std::string file;    // file name in BACKUP_DIR, or "<prefix>-attachments/<object path>"
  std::string kind;    // missing | extra | size | hash | unparsable | manifest | legacy
  std::string detail;  // human words, with expected/actual values
};

struct VerifyFilesOptions {
  bool attachments = true;
  // Called with bytes hashed so far (for progress).
  std::function<void(std::uint64_t bytes)> on_bytes;
};

std::vector<VerifyProblem> verify_set_files(const SetInfo& set, const VerifyFilesOptions& opts = {});

}  // namespace crm::engine
