#pragma once
// The cheap half of verify: every file a manifest lists, stat'ed against its recorded size.
// `list` and retention run it on every set (a truncated schema.sql must not show as complete,
// nor serve as the set retention trusts); verify runs it before hashing.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/backupset/manifest.hpp"

namespace crm::engine {

struct PartProblem {
  std::string kind;    // missing | size
  std::string detail;  // "expected 4000 bytes, found 120"
};
// Why path is not a regular file of size bytes; nullopt when it is.
std::optional<PartProblem> part_size_problem(const std::filesystem::path& path, std::uint64_t size);

// "<file>: <detail>" for every file of the set (SQL parts in dir, attachments under
// attachments_dir, which may be empty when the set has none on disk) whose size does not
// match the manifest. No hashing.
std::vector<std::string> size_mismatches(const Manifest& m, const std::filesystem::path& dir,
                                         const std::filesystem::path& attachments_dir);

}  // namespace crm::engine
