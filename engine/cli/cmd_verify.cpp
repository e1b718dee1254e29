// `verify`: prove a set is whole (and, with --restore-into, that it restores) — for CI.
#include <algorithm>
#include <iostream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/cli/passphrase_option.hpp"
#include "engine/cli/repo_option.hpp"
#include "engine/cli/lock_timeout_option.hpp"
#include "engine/cli/storage_options.hpp"
#include "engine/errors.hpp"
#include "engine/format/json_writer.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/readable_set.hpp"
#include "engine/backupset/verify_files.hpp"
#include "engine/verify/verify_restore.hpp"
#include "engine/verify/verify_sql.hpp"

namespace crm::cli {

void register_verify(CLI::App& app, Registry& reg) {
  struct Opts {
    std::string set, restore_into;
    RepoOption repo;
    StorageOptions storage;
    OutputOptions printing;
    LockTimeoutOption lock_timeout;
    int connect_timeout = 10;
    bool yes = false, json = false, no_attachments = false;
    PassphraseOption passphrase;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("verify", "check a backup against its manifest and, with --restore-into, "
                                           "restore it into a scratch database and compare");
  cmd->add_option("backup", o->set, "a prefix (looked up in BACKUP_DIR) or a path to a set")->required();
  o->repo.add_to(*cmd, "where a prefix is looked up (default: $BACKUP_DIR)");
  cmd->add_option("--restore-into", o->restore_into,
                  "PostgreSQL URL of a scratch database (created if missing) to restore into and compare");
  cmd->add_flag("--yes,-y", o->yes, "with --restore-into: replace a database that already holds application data");
  cmd->add_flag("--no-attachments", o->no_attachments, "do not hash the attachments");
  cmd->add_option("--connect-timeout", o->connect_timeout, "seconds to wait for the scratch database");
  o->lock_timeout.add_to(*cmd);
  o->storage.add_to(*cmd);
  cmd->add_flag("--json", o->json, "print a JSON report on stdout (CI artifact)");
  o->passphrase.add_to(*cmd, "the passphrase of an encrypted backup");
  o->printing.add_to(*cmd);
  cmd->callback([&reg, o] {
    reg.json = o->json;
    reg.verbose = o->printing.verbose;
    reg.action = [o] {
      std::ostream& result_out = o->json ? std::cerr : std::cout;
      HumanOutput human(result_out, o->printing.quiet);
      std::ostream& out = human.stream();
      std::shared_ptr<engine::repo::Repository> repository;
      if (o->set.find('/') == std::string::npos || !o->repo.repo.empty()) repository = o->repo.open(false);
      else repository = std::make_shared<engine::repo::FolderRepository>(std::filesystem::path());
      auto stored = repository->find_set(o->set);
      out << "Verifying " << stored.name.prefix << " (" << engine::to_string(stored.state) << ")...\n";
      if (!repository->is_folder()) {
        if (stored.state == engine::SetState::InProgress)
          throw engine::UsageError("the backup " + stored.name.prefix + " is still being written");
        if (!stored.manifest)
          throw engine::DamagedSetError("the backup " + stored.name.prefix + " in " + repository->display() + " is " +
                                        engine::to_string(stored.state) + " (" + stored.state_reason + ")");
      }
      // Attachments are hashed where they are stored (streamed), unless --restore-into needs
      // them as files; the SQL files come to a private temporary folder.
      std::optional<std::vector<engine::VerifyProblem>> remote_attachments;
      // An encrypted set's attachments are checked by decrypting them (which authenticates them).
      if (!o->no_attachments && o->restore_into.empty() && !engine::is_encrypted(stored))
        remote_attachments = repository->verify_attachments_in_place(stored);
      const bool local_attachments = !o->no_attachments && !remote_attachments;
      if (!repository->is_folder())
        out << "  downloading its " << (local_attachments ? "files" : "SQL files") << " from " << repository->display()
            << " into a private temporary folder\n" << std::flush;
      auto local = engine::repo::open_readable_set(*repository, stored, local_attachments, o->passphrase.unlocker(out));
      const engine::SetInfo& set = local->set();
      auto problems = engine::verify_set_files(set, {.attachments = local_attachments});
      if (remote_attachments)
        for (auto& p : *remote_attachments) problems.push_back(std::move(p));
      bool legacy = !set.manifest;
      for (auto& p : engine::verify_set_sql(set)) problems.push_back(std::move(p));
      // Problems in the files themselves make the set damaged; the rest come from --restore-into.
      const bool files_damaged = std::any_of(problems.begin(), problems.end(), [](const auto& p) { return p.kind != "legacy"; });
      std::optional<engine::RestoreIntoReport> restored;
      if (!o->restore_into.empty()) {
        engine::RestoreIntoOptions ro;
        ro.target = {.target = o->restore_into, .connect_timeout_seconds = o->connect_timeout};
        ro.assume_yes = o->yes;
        ro.verbose = o->printing.verbose;
        ro.lock_timeout = o->lock_timeout.resolve();
        // The scratch bucket only when named on the command line: never the configured one.
        if (!o->storage.url.empty()) ro.storage = o->storage.resolve();
        ro.log = [&](const std::string& l) { out << "  " << l << "\n" << std::flush; };
        restored = engine::verify_restore_into(set, ro);
        for (auto& p : restored->problems) problems.push_back(p);
      }
      int failures = 0;
      for (const auto& p : problems) {
        bool note = p.kind == "legacy";
        failures += !note;
        out << (note ? "  note: " : "  \u2717 ") << p.file << ": " << p.kind << ": " << p.detail << "\n";
      }
      if (set.manifest)
        for (const auto& w : set.manifest->warnings) out << "  note: the backup left out: " << w << "\n";
      if (set.manifest)
        out << "  files: " << set.manifest->files.size() << " SQL files, " << set.manifest->objects.size()
            << " attachments, " << set.manifest->tables.size() << " tables checked against the manifest\n";
      if (restored && restored->restored)
        out << "  restored into " << pg::redact_target(o->restore_into) << ": " << restored->tables_compared
            << " tables (" << restored->rows_compared << " rows), " << restored->sequences_compared << " sequences, "
            << restored->migrations_compared << " migration rows, " << restored->matviews_compared
            << " materialized views, " << restored->objects_compared << " attachments compared\n";
      out.flush();
      // The verdict is the result: --quiet keeps it.
      if (failures == 0) result_out << "\u2713 Backup " << set.name.prefix << " verified" << (legacy ? " (legacy: no manifest)" : "") << "\n";
      else result_out << "\u2717 Backup " << set.name.prefix << ": " << failures << " problem(s)\n";
      if (o->json) {
        engine::JsonWriter w;
        w.begin_object().field("prefix", set.name.prefix).field("ok", failures == 0).field("legacy", legacy);
        w.key("problems").begin_array();
        for (const auto& p : problems)
          w.begin_object().field("file", p.file).field("kind", p.kind).field("detail", p.detail).end_object();
        w.end_array();
        w.key("warnings").begin_array();
        if (set.manifest)
          for (const auto& wn : set.manifest->warnings) w.value(wn);
        w.end_array();
        if (restored) {
          w.key("restore_into").begin_object().field("target", pg::redact_target(o->restore_into))
              .field("restored", restored->restored).field("created_database", restored->created_database)
              .field("tables", restored->tables_compared).field("rows", restored->rows_compared)
              .field("sequences", restored->sequences_compared).field("migrations", restored->migrations_compared)
              .field("matviews", restored->matviews_compared).field("dropped_database", restored->dropped_database)
              .field("attachments", restored->objects_compared).end_object();
        }
        if (failures) {
          // A failed check has the same error shape as any other failure.
          w.key("error").begin_object().field("code", files_damaged ? "damaged_set" : "verify_failed")
              .field("message", "backup " + set.name.prefix + ": " + std::to_string(failures) + " problem(s)")
              .field("hint", "the problems list says which file or table differs").end_object();
        }
        w.field("exit_code", failures == 0 ? kExitOk : kExitFailure);
        w.end_object();
        std::cout << w.str() << "\n";
      }
      return failures == 0 ? kExitOk : kExitFailure;
    };
  });
}

}  // namespace crm::cli
