#include "engine/backup/backup_phases.hpp"
#include "engine/backupset/set_report.hpp"

namespace crm::engine::backup_phase {

std::vector<RetentionDecision> apply_backup_retention(const RunContext& run, repo::Repository& repository,
                                                      const std::string& prefix) {
  const BackupOptions& o = run.opts;
  if (!o.apply_retention) return {};
  auto plan = plan_retention(repository.list_sets(), prefix, std::time(nullptr), o.retention_days);
  auto retention = apply_retention([&](const std::string& p) { repository.remove_set(p); }, plan);
  print_retention(run.out, retention, false, o.retention_days);
  for (const auto& line : repository.sweep_unreferenced()) run.out << "  " << line << "\n";
  return retention;
}

}  // namespace crm::engine::backup_phase
