#pragma once
// What makes a set encrypted (docs/encryption-format.md, "Sets"): every part is an encrypted
// stream; the real manifest is the part "manifest.enc"; "manifest.json" (written last, the
// commit marker as in every set) is a plain summary that lets list, retention and prune work
// without the passphrase: the stored files with their stored sizes and hashes, the stored
// attachments (S3: the blobs, by their keyed names), and nothing taken from the data.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/manifest.hpp"

namespace crm::engine {

inline constexpr std::string_view kEncryptedManifestPart = "manifest.enc";
inline constexpr std::string_view kEncryptedManifestRole = "encrypted-manifest";
// The summary's option that marks an encrypted set, and its value for format version 1.
inline constexpr std::string_view kEncryptionOption = "encryption";
inline constexpr std::string_view kEncryptionV1 = "crmbackup-native-v1";

bool is_encrypted(const Manifest& m);
bool is_encrypted(const SetInfo& s);

// The associated data each encrypted stream is bound to: a part moved to another set or role,
// or a blob put under another name, does not decrypt.
std::string part_binding(const std::string& prefix, std::string_view part);           // "<prefix>/<part>"
std::string attachment_binding(const std::string& prefix, std::string_view path);     // "<prefix>/attachments/<path>"
std::string blob_binding(std::string_view blob_name);                                 // "blobs/<name>"

}  // namespace crm::engine
