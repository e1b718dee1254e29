// `passphrase change`: re-wraps a repository's data key under a new passphrase; no set is rewritten.
#include <cstdlib>
#include <iostream>

#include "crypto/passphrase_source.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/cli/passphrase_option.hpp"
#include "engine/cli/repo_option.hpp"
#include "engine/repo/repository_key.hpp"

namespace crm::cli {

namespace {

constexpr const char* kNewPassphraseEnv = "CRMBACKUP_NEW_PASSPHRASE";
constexpr const char* kNewPassphraseFileEnv = "CRMBACKUP_NEW_PASSPHRASE_FILE";

// --new-passphrase-file FILE, else CRMBACKUP_NEW_PASSPHRASE_FILE, else CRMBACKUP_NEW_PASSPHRASE
// (the same rules as the current passphrase's sources).
crypto::Passphrase new_passphrase(const std::string& flag_file) {
  try {
    if (!flag_file.empty()) return crypto::read_passphrase_file(flag_file, "--new-passphrase-file");
    if (const char* f = std::getenv(kNewPassphraseFileEnv); f && *f)
      return crypto::read_passphrase_file(f, kNewPassphraseFileEnv);
  } catch (const crypto::PassphraseError& e) {
    throw UsageError(e.what());
  }
  if (const char* p = std::getenv(kNewPassphraseEnv)) {
    if (!*p) throw UsageError(std::string(kNewPassphraseEnv) + " is empty: an empty passphrase is refused");
    return crypto::Passphrase::from_text(p);
  }
  throw UsageError("no new passphrase: give --new-passphrase-file FILE, or set CRMBACKUP_NEW_PASSPHRASE_FILE or "
                   "CRMBACKUP_NEW_PASSPHRASE");
}

}  // namespace

void register_passphrase(CLI::App& app, Registry& reg) {
  struct Opts {
    RepoOption repo;
    PassphraseOption current;
    std::string new_file;
  };
  auto o = std::make_shared<Opts>();
  auto* group = app.add_subcommand("passphrase", "manage the passphrase of a repository's encrypted backups");
  group->require_subcommand(1);
  auto* cmd = group->add_subcommand("change", "re-wrap the repository's data key under a new passphrase (no backup is "
                                              "rewritten; every backup then opens with the new one only)");
  o->repo.add_to(*cmd, "the folder repository (default: $BACKUP_DIR)");
  o->current.add_to(*cmd, "the current passphrase");
  cmd->add_option("--new-passphrase-file", o->new_file,
                  "the new passphrase (chmod 600; default: $CRMBACKUP_NEW_PASSPHRASE_FILE, else $CRMBACKUP_NEW_PASSPHRASE)");
  cmd->callback([&reg, o] {
    reg.action = [o] {
      auto repository = o->repo.open(/*create=*/false);
      auto current = o->current.resolve();
      if (!current)
        throw engine::PassphraseRequiredError("the current passphrase is needed: give --passphrase-file FILE, or set "
                                              "CRMBACKUP_PASSPHRASE_FILE or CRMBACKUP_PASSPHRASE");
      auto replacement = new_passphrase(o->new_file);
      engine::repo::change_repository_passphrase(*repository, *current, replacement,
                                                 [](const std::string& l) { std::cout << l << "\n"; });
      std::cout << "\u2713 The passphrase of " << repository->display() << " was changed (" << repository->key_file_location()
                << " rewritten; no backup was touched)\n";
      return kExitOk;
    };
  });
}

}  // namespace crm::cli
