#include "engine/backup/set_encryption.hpp"

#include <cstdio>
#include <set>
#include <stdexcept>
#include <system_error>

#include "crypto/blob_name.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/backupset/path_safety.hpp"
#include "engine/repo/folder_repository.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kReadBytes = 1 << 20;

template <typename Fn>
void read_file(const fs::path& path, Fn&& fn) {
  repo::FilePartReader in(path);
  std::string buf(kReadBytes, '\0');
  for (std::size_t n; (n = in.read(buf.data(), buf.size())) > 0;) fn(std::string_view(buf.data(), n));
}

// Encrypts the file at `from` into a new file at `to` (which may be the same path: the
// plaintext is replaced only once the encrypted copy is complete).
SetEncryption::Stored encrypt_file(const fs::path& from, const fs::path& to, const crypto::DataKey& key,
                                   const std::string& binding) {
  AtomicFile out(to);
  EncryptingSink enc(out, key, binding);
  read_file(from, [&](std::string_view bytes) { enc.write(bytes); });
  enc.finish();
  out.commit();
  return {out.bytes(), out.hash_hex()};
}

std::string keyed_name_of(const fs::path& file, const crypto::DataKey& key) {
  crypto::BlobNamer namer(key);
  read_file(file, [&](std::string_view bytes) { namer.update(bytes); });
  return namer.hex();
}

}  // namespace

const SetEncryption::Stored& SetEncryption::stored(const std::string& part) const {
  auto it = stored_.find(part);
  if (it == stored_.end()) throw std::logic_error("the encrypted part " + part + " was not written");
  return it->second;
}

PartFile::PartFile(const repo::SetReservation& writer, const std::string& part, SetEncryption* encryption)
    : part_(part), encryption_(encryption), file_(writer.staging_path(part)) {
  if (encryption_) encrypt_ = std::make_unique<EncryptingSink>(file_, encryption_->key(), part_binding(writer.prefix(), part));
}

void PartFile::write(std::string_view bytes) {
  plain_hash_.update(bytes);
  plain_bytes_ += bytes.size();
  if (encrypt_) encrypt_->write(bytes);
  else file_.write(bytes);
}

void PartFile::commit() {
  if (encrypt_) encrypt_->finish();
  file_.commit();
  if (encryption_) encryption_->record_stored(part_, {file_.bytes(), file_.hash_hex()});
}

Manifest seal_encrypted_set(const repo::SetReservation& writer, const Manifest& full_in, SetEncryption& encryption,
                            bool blobs) {
  const std::string& prefix = writer.prefix();
  const crypto::DataKey& key = encryption.key();
  Manifest full = full_in;
  full.options[std::string(kEncryptionOption)] = std::string(kEncryptionV1);

  // The summary: what list, retention and prune need, nothing read from the database or the bucket.
  Manifest summary;
  summary.tool_version = full.tool_version;
  summary.prefix = full.prefix;
  summary.server_version = full.server_version;
  summary.started_at = full.started_at;
  summary.finished_at = full.finished_at;
  summary.snapshot_time = full.snapshot_time;
  summary.attachments_included = full.attachments_included;
  for (const char* option : {"compress", "attachments", "retention_days"})
    if (auto it = full.options.find(option); it != full.options.end()) summary.options[option] = it->second;
  summary.options[std::string(kEncryptionOption)] = std::string(kEncryptionV1);
  for (const auto& f : full.files) {
    const std::string part = f.name.substr(prefix.size() + 1);
    const auto& stored = encryption.stored(part);
    summary.files.push_back({f.name, f.role, stored.size, stored.xxh3_128});
  }

  const fs::path attachments = writer.staging_path("attachments");
  if (blobs && !full.objects.empty()) {
    // One encrypted blob per distinct content, in a hidden folder that then takes the place of
    // the plaintext tree (a bucket path may itself look like a blob name).
    const fs::path sealed = writer.staging_dir() / ".encrypted-blobs";
    create_private_directory(sealed);
    std::set<std::string> done;
    for (auto& o : full.objects) {
      fs::path plain = local_path_for(attachments, o.path);
      o.blob = keyed_name_of(plain, key);
      if (!done.insert(o.blob).second) continue;
      auto stored = encrypt_file(plain, sealed / o.blob, key, blob_binding(o.blob));
      ManifestObject so;
      so.path = o.blob;
      so.blob = o.blob;
      so.size = stored.size;
      so.xxh3_128 = stored.xxh3_128;
      summary.objects.push_back(std::move(so));
    }
    fs::remove_all(attachments);
    fs::rename(sealed, attachments);
  } else {
    for (const auto& o : full.objects) {
      fs::path file = local_path_for(attachments, o.path);
      auto stored = encrypt_file(file, file, key, attachment_binding(prefix, o.path));
      ManifestObject so;
      so.path = o.path;
      so.size = stored.size;
      so.xxh3_128 = stored.xxh3_128;
      summary.objects.push_back(std::move(so));
    }
  }

  PartFile manifest_part(writer, std::string(kEncryptedManifestPart), &encryption);
  manifest_part.write(manifest_to_json(full));
  manifest_part.commit();
  const auto& stored = encryption.stored(std::string(kEncryptedManifestPart));
  summary.files.push_back({prefix + "-" + std::string(kEncryptedManifestPart), std::string(kEncryptedManifestRole),
                           stored.size, stored.xxh3_128});
  return summary;
}

}  // namespace crm::engine
