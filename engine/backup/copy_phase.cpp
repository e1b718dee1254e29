// backup --copy-to: after the primary commit (and its retention), each other repository gets
// the new set and every complete set of the primary it lacks (catch-up of earlier failed
// pushes), then its own retention. A failure stops that repository only; the primary set stays.
#include <algorithm>
#include <set>

#include "engine/backup/backup_phases.hpp"
#include "engine/backupset/set_report.hpp"
#include "engine/errors.hpp"
#include "engine/format/human.hpp"
#include "engine/backup/copy_encrypted_set.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/repo/copy_set.hpp"

namespace crm::engine::backup_phase {

namespace {

// The primary's complete sets the target lacks, newest first. A set older than the retention
// period is left out: the target's retention would delete it again at once.
std::vector<SetInfo> sets_to_push(const RunContext& run, repo::Repository& primary, repo::Repository& target,
                                  const std::string& prefix) {
  const std::time_t cutoff = std::time(nullptr) - static_cast<std::time_t>(run.opts.retention_days) * 86400;
  std::vector<SetInfo> wanted;
  for (auto& s : primary.list_sets()) {
    if (s.state != SetState::Complete) continue;
    if (s.name.prefix != prefix && run.opts.apply_retention && s.time < cutoff) continue;
    wanted.push_back(std::move(s));
  }
  std::set<std::string> present;
  for (const auto& s : target.list_sets()) {
    const bool wanted_here = std::any_of(wanted.begin(), wanted.end(),
                                         [&](const SetInfo& w) { return w.name.prefix == s.name.prefix; });
    if (wanted_here && (s.state == SetState::Incomplete || s.state == SetState::Damaged)) {
      // Not complete and without a live lock: a copy that was stopped (parts without a
      // manifest, or a manifest cut off by a store that keeps an interrupted upload). The
      // prefix must be free to copy the set again, and the primary holds it complete.
      target.remove_set(s.name.prefix);
      run.out << "  removed the unfinished copy of " << s.name.prefix << " from " << target.display() << "\n";
      continue;
    }
    present.insert(s.name.prefix);
  }
  std::vector<SetInfo> out;
  for (auto& s : wanted)
    if (!present.count(s.name.prefix)) out.push_back(std::move(s));
  return out;
}

// The primary's data key: this run's when it encrypted its set, else from the passphrase.
repo::KeyUnlocker source_key(const RunContext& run) {
  if (run.opts.encryption_key)
    return [key = run.opts.encryption_key](repo::Repository&) {
      return crypto::DataKey(crypto::SecureBytes(key->bytes().data(), key->bytes().size()));
    };
  return run.opts.unlock_key;
}

void push_set(const RunContext& run, repo::Repository& primary, const SetInfo& set, repo::Repository& target,
              const std::string& prefix) {
  run.out << "  Copying " << set.name.prefix
          << (set.name.prefix == prefix ? "" : " (missed by an earlier copy)") << "...\n" << std::flush;
  auto writer = target.reserve_named(set.name.prefix);
  // For a main thread that does not come back before the forced exit; what stays in a remote
  // repository is recognised by its lock and removed by the next run.
  auto remove_staging = run.guard.before_forced_exit([w = writer.get()] { w->abort_local(); });
  writer->set_show_progress(run.opts.show_progress);
  auto check_interrupted = [&] {
    run.guard.throw_if_interrupted("the copy to " + target.display() + " was stopped; the backup " + prefix +
                                   " is complete in " + primary.display() + " and the next backup copies it again");
  };
  auto stats = is_encrypted(set) ? copy_encrypted_set(primary, set, target, *writer, source_key(run),
                                                      run.opts.copy_target_key, check_interrupted)
                                 : repo::copy_set(primary, set, *writer, check_interrupted);
  if (auto note = writer->commit_note(); !note.empty()) run.out << "  " << note << "\n";
  run.out << "  ✓ " << set.name.prefix << " copied (" << format_count(stats.files) << " files, " << format_mb(stats.bytes)
          << " read";
  if (stats.attachments_skipped)
    run.out << ", " << format_count(stats.attachments_skipped) << " attachments already stored there";
  run.out << ")\n" << std::flush;
}

CopyReport copy_to(const RunContext& run, repo::Repository& primary, repo::Repository& target,
                   const std::string& prefix) {
  CopyReport report;
  report.repository = target.display();
  run.out << "Copying the backup to " << report.repository << "...\n" << std::flush;
  try {
    for (const auto& line : target.clean_crashed_runs()) run.out << "  " << line << "\n";
    for (const auto& set : sets_to_push(run, primary, target, prefix)) {
      push_set(run, primary, set, target, prefix);
      report.copied.push_back(set.name.prefix);
    }
    if (run.opts.apply_retention) {
      auto plan = plan_retention(target.list_sets(), prefix, std::time(nullptr), run.opts.retention_days);
      report.retention = apply_retention([&](const std::string& p) { target.remove_set(p); }, plan);
      print_retention(run.out, report.retention, false, run.opts.retention_days);
      for (const auto& line : target.sweep_unreferenced()) run.out << "  " << line << "\n";
    }
  } catch (const InterruptedError&) {
    throw;
  } catch (const std::exception& e) {
    report.error = e.what();
    run.out << "✗ The copy to " << report.repository << " failed: " << report.error << "\n";
    run.out << "  The backup " << prefix << " is complete in " << primary.display()
            << "; the next backup copies every backup " << report.repository << " lacks.\n" << std::flush;
  }
  return report;
}

}  // namespace

std::vector<CopyReport> copy_to_repositories(const RunContext& run, repo::Repository& primary,
                                             const std::string& prefix) {
  std::vector<CopyReport> reports;
  if (run.opts.copy_to.empty()) return reports;
  run.guard.set_note("the backup " + prefix + " is complete in " + primary.display() +
                     "; the unfinished copy is removed by the next backup, which copies it again");
  for (const auto& target : run.opts.copy_to) reports.push_back(copy_to(run, primary, *target, prefix));
  return reports;
}

}  // namespace crm::engine::backup_phase
