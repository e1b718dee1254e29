#include "engine/verify/verify_runner.hpp"

#include <algorithm>
#include <optional>
#include <ostream>
#include <vector>

#include "engine/backupset/encrypted_set.hpp"
#include "engine/backupset/verify_files.hpp"
#include "engine/errors.hpp"
#include "engine/format/json_writer.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/readable_set.hpp"
#include "engine/verify/verify_restore.hpp"
#include "engine/verify/verify_sql.hpp"
#include "pgwire/conninfo.hpp"

namespace crm::engine {
namespace {

// What the checks found, for the lines, the verdict and the JSON report.
struct VerifyFindings {
  std::vector<VerifyProblem> problems;
  int failures = 0;  // problems that are not notes ("legacy")
  bool files_damaged = false;  // a problem in the files themselves, not from --restore-into
  std::optional<RestoreIntoReport> restored;
};

std::shared_ptr<repo::Repository> repository_of(const VerifyOptions& o) {
  if (o.repository) return o.repository;
  return std::make_shared<repo::FolderRepository>(o.backup_dir);
}

// A remote set is verified only once committed: parts without a manifest never leave the
// repository.
void require_committed(const SetInfo& stored, const repo::Repository& repository) {
  if (repository.is_folder()) return;
  if (stored.state == SetState::InProgress)
    throw UsageError("the backup " + stored.name.prefix + " is still being written");
  if (!stored.manifest)
    throw DamagedSetError("the backup " + stored.name.prefix + " in " + repository.display() + " is " +
                          to_string(stored.state) + " (" + stored.state_reason + ")");
}

RestoreIntoReport restore_into(const SetInfo& set, const VerifyOptions& o, std::ostream& out) {
  RestoreIntoOptions ro;
  ro.target = {.target = o.restore_into, .connect_timeout_seconds = o.connect_timeout_seconds};
  ro.assume_yes = o.assume_yes;
  ro.verbose = o.verbose;
  ro.lock_timeout = o.lock_timeout;
  if (o.resolve_storage) ro.storage = o.resolve_storage();
  ro.log = [&](const std::string& l) { out << "  " << l << "\n" << std::flush; };
  return verify_restore_into(set, ro);
}

void print_findings(const SetInfo& set, const VerifyOptions& o, const VerifyFindings& f, std::ostream& out) {
  for (const auto& p : f.problems) {
    bool note = p.kind == "legacy";
    out << (note ? "  note: " : "  \u2717 ") << p.file << ": " << p.kind << ": " << p.detail << "\n";
  }
  if (set.manifest)
    for (const auto& w : set.manifest->warnings) out << "  note: the backup left out: " << w << "\n";
  if (set.manifest)
    out << "  files: " << set.manifest->files.size() << " SQL files, " << set.manifest->objects.size()
        << " attachments, " << set.manifest->tables.size() << " tables checked against the manifest\n";
  if (f.restored && f.restored->restored)
    out << "  restored into " << pg::redact_target(o.restore_into) << ": " << f.restored->tables_compared
        << " tables (" << f.restored->rows_compared << " rows), " << f.restored->sequences_compared << " sequences, "
        << f.restored->migrations_compared << " migration rows, " << f.restored->matviews_compared
        << " materialized views, " << f.restored->objects_compared << " attachments compared\n";
  out.flush();
}

std::string report_json(const SetInfo& set, const VerifyOptions& o, const VerifyFindings& f, int exit_code) {
  const bool legacy = !set.manifest;
  JsonWriter w;
  w.begin_object().field("prefix", set.name.prefix).field("ok", f.failures == 0).field("legacy", legacy);
  w.key("problems").begin_array();
  for (const auto& p : f.problems)
    w.begin_object().field("file", p.file).field("kind", p.kind).field("detail", p.detail).end_object();
  w.end_array();
  w.key("warnings").begin_array();
  if (set.manifest)
    for (const auto& wn : set.manifest->warnings) w.value(wn);
  w.end_array();
  if (f.restored) {
    const RestoreIntoReport& r = *f.restored;
    w.key("restore_into").begin_object().field("target", pg::redact_target(o.restore_into))
        .field("restored", r.restored).field("created_database", r.created_database)
        .field("tables", r.tables_compared).field("rows", r.rows_compared)
        .field("sequences", r.sequences_compared).field("migrations", r.migrations_compared)
        .field("matviews", r.matviews_compared).field("dropped_database", r.dropped_database)
        .field("attachments", r.objects_compared).end_object();
  }
  if (f.failures) {
    // A failed check has the same error shape as any other failure.
    w.key("error").begin_object().field("code", f.files_damaged ? "damaged_set" : "verify_failed")
        .field("message", "backup " + set.name.prefix + ": " + std::to_string(f.failures) + " problem(s)")
        .field("hint", "the problems list says which file or table differs").end_object();
  }
  w.field("exit_code", exit_code);
  w.end_object();
  return w.str();
}

}  // namespace

VerifyOutcome run_verify(const VerifyOptions& o, std::ostream& out) {
  std::shared_ptr<repo::Repository> repository = repository_of(o);
  SetInfo stored = repository->find_set(o.set);
  out << "Verifying " << stored.name.prefix << " (" << to_string(stored.state) << ")...\n";
  require_committed(stored, *repository);
  // Attachments are hashed where they are stored (streamed), unless --restore-into needs
  // them as files; the SQL files come to a private temporary folder.
  std::optional<std::vector<VerifyProblem>> remote_attachments;
  // An encrypted set's attachments are checked by decrypting them (which authenticates them).
  if (o.attachments && o.restore_into.empty() && !is_encrypted(stored))
    remote_attachments = repository->verify_attachments_in_place(stored);
  const bool local_attachments = o.attachments && !remote_attachments;
  if (!repository->is_folder())
    out << "  downloading its " << (local_attachments ? "files" : "SQL files") << " from " << repository->display()
        << " into a private temporary folder\n" << std::flush;
  auto local = repo::open_readable_set(*repository, stored, local_attachments, o.unlock_key);
  const SetInfo& set = local->set();

  VerifyFindings f;
  f.problems = verify_set_files(set, {.attachments = local_attachments});
  if (remote_attachments)
    for (auto& p : *remote_attachments) f.problems.push_back(std::move(p));
  for (auto& p : verify_set_sql(set)) f.problems.push_back(std::move(p));
  // Problems in the files themselves make the set damaged; the rest come from --restore-into.
  f.files_damaged = std::any_of(f.problems.begin(), f.problems.end(), [](const auto& p) { return p.kind != "legacy"; });
  if (!o.restore_into.empty()) {
    f.restored = restore_into(set, o, out);
    for (auto& p : f.restored->problems) f.problems.push_back(p);
  }
  f.failures = static_cast<int>(
      std::count_if(f.problems.begin(), f.problems.end(), [](const auto& p) { return p.kind != "legacy"; }));
  print_findings(set, o, f, out);

  VerifyOutcome outcome;
  outcome.exit_code = f.failures == 0 ? 0 : 1;
  const bool legacy = !set.manifest;
  outcome.verdict = f.failures == 0
                        ? "\u2713 Backup " + set.name.prefix + " verified" + (legacy ? " (legacy: no manifest)" : "") + "\n"
                        : "\u2717 Backup " + set.name.prefix + ": " + std::to_string(f.failures) + " problem(s)\n";
  outcome.json = report_json(set, o, f, outcome.exit_code);
  return outcome;
}

}  // namespace crm::engine
