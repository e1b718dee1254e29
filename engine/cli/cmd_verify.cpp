// `verify`: prove a set is whole (and, with --restore-into, that it restores) — for CI.
#include <iostream>

#include "engine/cli/cli_support.hpp"
#include "engine/cli/json_option.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/cli/passphrase_option.hpp"
#include "engine/cli/repo_option.hpp"
#include "engine/cli/lock_timeout_option.hpp"
#include "engine/cli/storage_options.hpp"
#include "engine/verify/verify_runner.hpp"

namespace crm::cli {

void register_verify(CLI::App& app, Registry& reg) {
  struct Opts {
    std::string set, restore_into;
    RepoOption repo;
    StorageOptions storage;
    OutputOptions printing;
    LockTimeoutOption lock_timeout;
    int connect_timeout = 10;
    bool yes = false, no_attachments = false;
    JsonOption json;
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
  o->json.add_to(*cmd, "print a JSON report on stdout, a CI artifact (the progress lines go to stderr)");
  o->passphrase.add_to(*cmd, "the passphrase of an encrypted backup");
  o->printing.add_to(*cmd);
  cmd->callback([&reg, o] {
    o->json.hand_to(reg);
    reg.verbose = o->printing.verbose;
    reg.action = [o] {
      engine::VerifyOptions v;
      v.repository = o->repo.open_for_set(o->set);
      v.set = o->set;
      v.attachments = !o->no_attachments;
      v.restore_into = o->restore_into;
      v.connect_timeout_seconds = o->connect_timeout;
      v.assume_yes = o->yes;
      v.verbose = o->printing.verbose;
      // Only a restore waits for locks: without --restore-into, --lock-timeout is not read.
      if (!v.restore_into.empty()) v.lock_timeout = o->lock_timeout.resolve();
      // The scratch bucket only when named on the command line: never the configured one.
      if (!o->storage.url.empty()) v.resolve_storage = [o] { return o->storage.resolve(); };
      std::ostream& result_out = o->json.human_lines();
      HumanOutput human(result_out, o->printing.quiet);
      v.unlock_key = o->passphrase.unlocker(human.stream());
      auto outcome = engine::run_verify(v, human.stream());
      // The verdict is the result: --quiet keeps it.
      result_out << outcome.verdict;
      if (o->json) std::cout << outcome.json << "\n";
      return outcome.exit_code;
    };
  });
}

}  // namespace crm::cli
