#pragma once
// --passphrase-file FILE, else CRMBACKUP_PASSPHRASE_FILE, else CRMBACKUP_PASSPHRASE: the secret of
// a repository's encrypted sets (crypto/passphrase_source.hpp). Never a plain flag value.
#include <optional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "crypto/secure_bytes.hpp"
#include "engine/repo/repository_key.hpp"

namespace crm::cli {

struct PassphraseOption {
  std::string file;

  void add_to(CLI::App& cmd, const std::string& help);
  // nullopt when no source is set; a bad file (open to others, empty, unreadable) is a UsageError.
  std::optional<crypto::Passphrase> resolve() const;
  // For commands that read sets: the passphrase is asked for only when a set is encrypted, and
  // its absence is then PassphraseRequiredError (exit code 5). Notes go to `out`.
  // create: a repository without a key file gets one (the target of an encrypted copy).
  engine::repo::KeyUnlocker unlocker(std::ostream& out, bool create = false) const;
};

}  // namespace crm::cli
