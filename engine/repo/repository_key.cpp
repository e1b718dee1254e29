#include "engine/repo/repository_key.hpp"

#include <cstring>

#include "engine/errors.hpp"

namespace crm::engine::repo {

crypto::KdfParams kdf_for_new_key_files(const crypto::EnvLookup& env, const KeyNote& note) {
  const char* v = env(kInsecureKdfEnv);
  if (!v || std::strcmp(v, "1") != 0) return crypto::KdfParams::recommended();
  if (note)
    note(std::string("\u26a0 Warning: ") + kInsecureKdfEnv +
         "=1: the new key file uses Argon2id's minimum cost, which does not protect a weak passphrase (tests only)");
  return crypto::KdfParams::minimum();
}

crypto::DataKey unlock_repository_key(Repository& repo, const crypto::Passphrase& passphrase, bool create,
                                      const KeyNote& note, const crypto::EnvLookup& env) {
  const std::string where = repo.key_file_location();
  // Two tries: a backup running at the same time may create the key file between our read and
  // our create; then its key is the repository's and is unlocked like any other.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto json = repo.read_key_file())
      return crypto::unlock_key(crypto::parse_key_file(*json, where), passphrase, where);
    if (!create)
      throw UsageError("the repository " + repo.display() + " has no key file (" + where +
                       "): no encrypted backup was ever made there");
    auto created = crypto::create_key(passphrase, kdf_for_new_key_files(env, note));
    if (repo.create_key_file(crypto::key_file_to_json(created.file))) {
      if (note)
        note("Created the key file " + where + ": keep the passphrase safe, without it no encrypted backup of this "
             "repository can be read");
      return std::move(created.key);
    }
  }
  throw std::runtime_error("the key file " + where + " appeared and vanished while it was read: run the command again");
}

void change_repository_passphrase(Repository& repo, const crypto::Passphrase& old_passphrase,
                                  const crypto::Passphrase& new_passphrase, const KeyNote& note,
                                  const crypto::EnvLookup& env) {
  const std::string where = repo.key_file_location();
  auto json = repo.read_key_file();
  if (!json)
    throw UsageError("the repository " + repo.display() + " has no key file (" + where +
                     "): it holds no encrypted backup, so there is no passphrase to change");
  auto current = crypto::parse_key_file(*json, where);
  auto rewrapped = crypto::rewrap_key(current, old_passphrase, new_passphrase, where, kdf_for_new_key_files(env, note));
  repo.replace_key_file(crypto::key_file_to_json(rewrapped));
}

}  // namespace crm::engine::repo
