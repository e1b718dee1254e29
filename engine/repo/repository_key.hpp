#pragma once
// The data key of a repository's encrypted sets: unwrapped from the repository's key file with
// the passphrase, created (random, wrapped under the passphrase) by the first encrypted backup,
// re-wrapped by `passphrase change` without rewriting any set.
#include <functional>
#include <string>

#include "crypto/data_key.hpp"
#include "crypto/key_file.hpp"
#include "crypto/passphrase_source.hpp"
#include "engine/repo/repository.hpp"

namespace crm::engine::repo {

// A line for people (e.g. "created the key file ..."), never holding a secret.
using KeyNote = std::function<void(const std::string& line)>;

// Set to 1, new key files use Argon2id's minimum cost (1 pass, 8 KiB) instead of the recommended
// default: only for the test suite, whose hundreds of key derivations would otherwise take
// minutes. Never silent: every use prints a warning, and the key file records the parameters.
inline constexpr const char* kInsecureKdfEnv = "CRMBACKUP_INSECURE_KDF_FOR_TESTS";
crypto::KdfParams kdf_for_new_key_files(const crypto::EnvLookup& env, const KeyNote& note);

// The data key. With create and no key file yet, a new one is made and stored. Throws
// crypto::WrongPassphraseError (naming the key file), crypto::KeyFileError (damaged key file),
// UsageError (no key file and create is false).
crypto::DataKey unlock_repository_key(Repository& repo, const crypto::Passphrase& passphrase, bool create,
                                      const KeyNote& note, const crypto::EnvLookup& env = crypto::process_environment());

// Re-wraps the data key under new_passphrase and replaces the key file at once. Throws
// crypto::WrongPassphraseError when old_passphrase does not open it, UsageError without a key file.
void change_repository_passphrase(Repository& repo, const crypto::Passphrase& old_passphrase,
                                  const crypto::Passphrase& new_passphrase, const KeyNote& note,
                                  const crypto::EnvLookup& env = crypto::process_environment());

// How a command that reads sets gets the data key once a set turns out to be encrypted (the
// passphrase is looked up only then: plain sets need none).
using KeyUnlocker = std::function<crypto::DataKey(Repository& repo)>;

}  // namespace crm::engine::repo
