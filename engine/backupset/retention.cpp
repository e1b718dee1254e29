#include "engine/backupset/retention.hpp"

#include "engine/backupset/staging.hpp"
#include "engine/format/human.hpp"

namespace crm::engine {

RetentionPlan plan_retention(const std::vector<SetInfo>& sets, const std::optional<std::string>& reference_prefix,
                             std::time_t now, int retention_days) {
  RetentionPlan plan;
  const SetInfo* ref = nullptr;
  if (reference_prefix) {
    for (const auto& s : sets)
      if (s.name.prefix == *reference_prefix) ref = &s;
  } else {
    for (const auto& s : sets)  // newest first: the first complete one
      if (s.state == SetState::Complete) {
        ref = &s;
        break;
      }
  }
  if (ref) plan.reference = ref->name.prefix;
  const double max_age = static_cast<double>(retention_days) * 24 * 3600;
  for (const auto& s : sets) {
    RetentionDecision d;
    d.prefix = s.name.prefix;
    d.apparent_bytes = s.total_bytes();
    d.frees_bytes = s.unshared_disk_bytes;
    double age = std::difftime(now, s.time);
    if (ref && &s == ref) {
      d.reason = reference_prefix ? "the backup just made" : "the newest complete backup";
    } else if (!ref) {
      d.reason = "no complete backup to compare against: nothing is deleted";
    } else if (s.state == SetState::InProgress) {
      d.reason = "a backup is writing it now";
    } else if (s.state == SetState::Incomplete || s.state == SetState::Damaged) {
      d.reason = std::string(to_string(s.state)) + " (" + s.state_reason + "): not deleted automatically, inspect it";
    } else if (age < 0) {
      d.reason = "dated in the future (clock skew?): kept";
    } else if (s.time > ref->time) {
      d.reason = "newer than " + ref->name.prefix;
    } else if (s.time == ref->time) {
      // Backups started in the same second get consecutive prefixes: neither is older.
      d.reason = "started in the same second as " + ref->name.prefix;
    } else if (age <= max_age) {
      d.reason = "within the " + std::to_string(retention_days) + "-day retention period";
    } else if (s.total_bytes() > ref->total_bytes()) {
      d.reason = "larger than the newest backup (" + format_mb(s.total_bytes()) + " > " +
                 format_mb(ref->total_bytes()) + "): kept as a safety check";
    } else {
      d.remove = true;
      d.reason = "older than " + std::to_string(retention_days) + " days";
    }
    plan.decisions.push_back(std::move(d));
  }
  return plan;
}

std::string retention_days_problem(long long days) {
  if (days >= 1 && days <= kMaxRetentionDays) return {};
  return "must be a whole number of days from 1 to " + std::to_string(kMaxRetentionDays) + ", got " +
         std::to_string(days) + " (backups younger than this many days are kept)";
}

std::vector<RetentionDecision> apply_retention(const std::filesystem::path& backup_dir, const RetentionPlan& plan) {
  return apply_retention([&](const std::string& prefix) { remove_set(backup_dir, prefix); }, plan);
}

std::vector<RetentionDecision> apply_retention(const std::function<void(const std::string& prefix)>& remove,
                                               const RetentionPlan& plan) {
  std::vector<RetentionDecision> done;
  for (auto d : plan.decisions) {
    if (d.remove) {
      try {
        remove(d.prefix);
      } catch (const std::exception& e) {
        d.remove = false;
        d.reason = std::string("deletion failed: ") + e.what();
      }
    }
    done.push_back(std::move(d));
  }
  return done;
}

}  // namespace crm::engine
