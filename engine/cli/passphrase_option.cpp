#include "engine/cli/passphrase_option.hpp"

#include "crypto/passphrase_source.hpp"
#include "engine/errors.hpp"

namespace crm::cli {

void PassphraseOption::add_to(CLI::App& cmd, const std::string& help) {
  cmd.add_option("--passphrase-file", file, help + " (a file only you can read, chmod 600; default: "
                                                   "$CRMBACKUP_PASSPHRASE_FILE, else $CRMBACKUP_PASSPHRASE)");
}

std::optional<crypto::Passphrase> PassphraseOption::resolve() const {
  try {
    return crypto::resolve_passphrase(file.empty() ? std::nullopt : std::optional<std::string>(file),
                                      crypto::process_environment());
  } catch (const crypto::PassphraseError& e) {
    throw engine::UsageError(e.what());
  }
}

engine::repo::KeyUnlocker PassphraseOption::unlocker(std::ostream& out, bool create) const {
  return [this, &out, create](engine::repo::Repository& repo) {
    auto passphrase = resolve();
    if (!passphrase)
      throw engine::PassphraseRequiredError(
          "this backup is encrypted and no passphrase is configured: give --passphrase-file FILE, or set "
          "CRMBACKUP_PASSPHRASE_FILE or CRMBACKUP_PASSPHRASE");
    return engine::repo::unlock_repository_key(repo, *passphrase, create,
                                                [&out](const std::string& l) { out << "  " << l << "\n"; });
  };
}

}  // namespace crm::cli
