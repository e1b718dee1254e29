#pragma once
// Where the passphrase comes from: --passphrase-file FILE, else CRMBACKUP_PASSPHRASE_FILE, else
// CRMBACKUP_PASSPHRASE. Never a plain flag value (it would show in `ps` and shell history).
// A passphrase file readable or writable by group or others is refused, as ssh refuses such a
// private key. Errors name the file and the variable, never the passphrase.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "crypto/secure_bytes.hpp"

namespace crm::crypto {

class PassphraseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Looks up an environment variable; nullptr when unset. Injected so tests need not touch the
// process environment.
using EnvLookup = std::function<const char*(const char* name)>;
EnvLookup process_environment();

inline constexpr const char* kPassphraseEnv = "CRMBACKUP_PASSPHRASE";
inline constexpr const char* kPassphraseFileEnv = "CRMBACKUP_PASSPHRASE_FILE";
// Longer files are not passphrases (a key file or a backup given by mistake).
inline constexpr std::size_t kMaxPassphraseBytes = 4096;

// nullopt when no source is configured (the caller decides whether that is an error or a
// warning). An empty passphrase, an unreadable file, a file open to group/others or owned by
// another user throw PassphraseError. One trailing "\n" (or "\r\n") of a file is dropped.
std::optional<Passphrase> resolve_passphrase(const std::optional<std::string>& passphrase_file_flag,
                                             const EnvLookup& env);

// Reads a passphrase file with the checks above; `origin` says where its name came from
// (e.g. "--passphrase-file") for the error message.
Passphrase read_passphrase_file(const std::string& path, const std::string& origin);

}  // namespace crm::crypto
