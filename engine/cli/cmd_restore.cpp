// `restore`: what `make restore-database BACKUP_PREFIX=...` runs.
#include <unistd.h>

#include <iostream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/cli/json_option.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/cli/passphrase_option.hpp"
#include "engine/cli/repo_option.hpp"
#include "engine/cli/lock_timeout_option.hpp"
#include "engine/cli/storage_options.hpp"
#include "engine/restore/restore_runner.hpp"

namespace crm::cli {

void register_restore(CLI::App& app, Registry& reg) {
  struct Opts {
    std::string set;
    RepoOption repo;
    DbOptions db;
    LockTimeoutOption lock_timeout;
    StorageOptions storage;
    OutputOptions printing;
    bool yes = false, force = false, no_attachments = false, verify_download = false;
    JsonOption json;
    std::string rewrite_from, rewrite_to;
    PassphraseOption passphrase;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("restore", "replace the database (one transaction) and the attachments bucket "
                                            "with a backup");
  cmd->add_option("backup", o->set, "a prefix (backup-YYYY-MM-DD-HHMMSS, looked up in BACKUP_DIR) or a path to a set")
      ->required();
  o->repo.add_to(*cmd, "where a prefix is looked up (default: $BACKUP_DIR)");
  o->db.add_to(*cmd);
  o->lock_timeout.add_to(*cmd);
  o->storage.add_to(*cmd);
  o->printing.add_to(*cmd);
  cmd->add_flag("--yes,-y", o->yes, "do not ask; required when there is no terminal");
  cmd->add_flag("--force", o->force, "restore even when files do not match the manifest (dangerous)");
  cmd->add_flag("--no-attachments", o->no_attachments, "restore only the database");
  cmd->add_flag("--verify-download", o->verify_download, "re-download every uploaded file and compare hashes");
  cmd->add_option("--rewrite-from", o->rewrite_from, "rewrite stored attachment URLs starting with this ...");
  cmd->add_option("--rewrite-to", o->rewrite_to, "... to start with this instead");
  o->json.add_to(*cmd, "print a JSON summary on stdout (the progress lines go to stderr)");
  o->passphrase.add_to(*cmd, "the passphrase of an encrypted backup");
  cmd->callback([&reg, o] {
    o->json.hand_to(reg);
    reg.verbose = o->printing.verbose;
    reg.action = [o] {
      if (o->rewrite_from.empty() != o->rewrite_to.empty())
        throw UsageError("--rewrite-from and --rewrite-to go together (REWRITE_FROM and REWRITE_TO with REWRITE_URLS=true)");
      engine::RestoreOptions r;
      r.repository = o->repo.open_for_set(o->set);
      r.set = o->set;
      r.db = o->db.resolve();
      r.lock_timeout = o->lock_timeout.resolve();
      r.assume_yes = o->yes;
      r.force = o->force;
      r.attachments = !o->no_attachments;
      r.verify_download = o->verify_download;
      r.rewrite_from = o->rewrite_from;
      r.rewrite_to = o->rewrite_to;
      r.resolve_storage = [o] { return o->storage.resolve(); };
      r.show_progress = o->printing.show_progress();
      r.verbose = o->printing.verbose;
      HumanOutput human(o->json.human_lines(), o->printing.quiet);
      r.unlock_key = o->passphrase.unlocker(human.stream());
      auto outcome = engine::run_restore(r, human.stream(), std::cin, ::isatty(0) != 0);
      if (outcome.exit_code == kExitUsage && outcome.json.empty())
        return report_failure(o->json.enabled, "cancelled", "the restore was not confirmed; nothing was changed",
                              "answer y at the prompt, or pass --yes", kExitUsage);
      if (o->json) std::cout << outcome.json << "\n";
      else if (o->printing.quiet && outcome.exit_code == kExitOk) std::cout << "\u2713 Restore of " << o->set << " completed\n";
      return outcome.exit_code;
    };
  });
}

}  // namespace crm::cli
