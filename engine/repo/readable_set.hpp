#pragma once
// A set as restore and verify read it: its files in the folder layout with the real manifest.
// A plain set is the repository's local_set(). An encrypted set is decrypted (and so
// authenticated, part by part) into a private 0700 temporary folder that is removed when the
// returned LocalSet is destroyed: the passphrase is checked, and every part proven intact,
// before the caller touches a database.
#include <memory>

#include "engine/repo/repository.hpp"
#include "engine/repo/repository_key.hpp"

namespace crm::engine::repo {

// Throws PassphraseRequiredError / crypto::WrongPassphraseError (from unlock) and
// DamagedSetError naming the part that does not decrypt (altered, cut, or from another set).
// The real manifest of an encrypted set (its part manifest.enc), decrypted and parsed. Throws
// DamagedSetError naming the part when it does not decrypt.
Manifest read_real_manifest(Repository& repo, const SetInfo& stored, const crypto::DataKey& key);

std::unique_ptr<LocalSet> open_readable_set(Repository& repo, const SetInfo& stored, bool with_attachments,
                                            const KeyUnlocker& unlock);

}  // namespace crm::engine::repo
