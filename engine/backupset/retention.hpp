#pragma once
// Retention: which sets to delete after a backup (or on `prune`), and why each other set is
// kept. The rules, in order (a set is deleted only when none keeps it):
//  - the reference set (the one just made, or for prune the newest complete set) is kept;
//  - a set that is being written, incomplete, damaged (a size differs from its manifest), or
//    whose manifest cannot be read is kept: it is not ours to judge automatically;
//  - a set dated in the future (clock skew), newer than the reference or started in the same
//    second is kept;
// Ages come from SetInfo::time (the manifest's UTC start), never from the prefix.
//  - a set younger than the retention period is kept;
//  - a set larger than the reference (apparent size) is kept: data only grows, so a smaller
//    new backup may mean something went wrong (the old system's safety check).
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/backupset/backup_dir.hpp"

namespace crm::engine {

struct RetentionDecision {
  std::string prefix;
  bool remove = false;
  std::string reason;
  std::uint64_t apparent_bytes = 0;
  std::uint64_t frees_bytes = 0;  // disk space only this set holds
};

struct RetentionPlan {
  std::optional<std::string> reference;  // none: nothing is deleted
  std::vector<RetentionDecision> decisions;
};

// retention_days 0 keeps no set for its age (the other rules still apply); the CLI accepts
// only retention_days_problem's range.
RetentionPlan plan_retention(const std::vector<SetInfo>& sets, const std::optional<std::string>& reference_prefix,
                             std::time_t now, int retention_days);

// Why a --retention-days value is refused ("must be ...", "" when it is fine): whole days from 1 to
// kMaxRetentionDays. 0 is refused rather than read as "keep nothing for its age": a typo
// must not delete every older backup.
inline constexpr int kMaxRetentionDays = 36500;
std::string retention_days_problem(long long days);

// Deletes the sets the plan marks; returns the decisions actually carried out (a failed
// deletion is reported in its reason and stops nothing else).
std::vector<RetentionDecision> apply_retention(const std::filesystem::path& backup_dir, const RetentionPlan& plan);
// The same with the deletion given (a repository's remove_set).
std::vector<RetentionDecision> apply_retention(const std::function<void(const std::string& prefix)>& remove,
                                               const RetentionPlan& plan);

}  // namespace crm::engine
