#include "engine/backup/set_encryption.hpp"

#include <cstdint>
#include <set>

#include <stdexcept>

#include "engine/backup/blob_naming_download.hpp"
#include "engine/backup/encrypting_download.hpp"
#include "engine/backup/sealed_attachments.hpp"
#include "engine/repo/encrypted_attachment_reuse.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/backupset/path_safety.hpp"
#include "engine/repo/folder_repository.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

// Encryption runs at GB/s per core; more threads than cores keep the disk busy while others encrypt.
constexpr unsigned kSealThreads = 4;

}  // namespace

const SetEncryption::Stored& SetEncryption::stored(const std::string& part) const {
  auto it = stored_.find(part);
  if (it == stored_.end()) throw std::logic_error("the encrypted part " + part + " was not written");
  return it->second;
}

repo::AttachmentReuse SetEncryption::stored_attachment_reuse(repo::Repository& repo, const std::string& prefix) {
  auto found = repo::encrypted_attachment_reuse(repo, prefix, *key_);
  reused_blobs_ = found.stored_blob_of_path;
  return found.reuse;
}

const ManifestObject* SetEncryption::reused_blob(const std::string& path) const {
  if (!reused_blobs_) return nullptr;
  auto it = reused_blobs_->find(path);
  return it == reused_blobs_->end() ? nullptr : &it->second;
}

std::unique_ptr<storage::BodyTransform> SetEncryption::encrypt_download(const std::string& prefix,
                                                                        const std::string& path,
                                                                        storage::BodyTransform::Output out) {
  return std::make_unique<EncryptingDownload>(*key_, attachment_binding(prefix, path), std::move(out),
                                              [this, path](StoredFile stored) {
                                                std::lock_guard lk(downloads_mu_);
                                                encrypted_downloads_[path] = {stored.size, std::move(stored.xxh3_128)};
                                              });
}

std::optional<SetEncryption::Stored> SetEncryption::encrypted_download(const std::string& path) const {
  std::lock_guard lk(downloads_mu_);
  auto it = encrypted_downloads_.find(path);
  if (it == encrypted_downloads_.end()) return std::nullopt;
  return it->second;
}

std::unique_ptr<storage::BodyTransform> SetEncryption::name_download(const std::string& path,
                                                                     storage::BodyTransform::Output out) {
  return std::make_unique<BlobNamingDownload>(*key_, std::move(out), [this, path](std::string blob) {
    std::lock_guard lk(downloads_mu_);
    named_downloads_[path] = std::move(blob);
  });
}

std::string SetEncryption::downloaded_blob_name(const std::string& path) const {
  std::lock_guard lk(downloads_mu_);
  auto it = named_downloads_.find(path);
  return it == named_downloads_.end() ? std::string() : it->second;
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
  // The real manifest describes the plaintext, as a plain set's does: only the summary marks
  // the set as encrypted (a decrypted copy is read like any plain set).
  Manifest full = full_in;

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
  std::vector<SealJob> jobs;
  if (blobs && !full.objects.empty()) {
    // One encrypted blob per distinct content, in a hidden folder that then takes the place of
    // the plaintext tree (a bucket path may itself look like a blob name).
    const fs::path sealed = writer.staging_dir() / ".encrypted-blobs";
    create_private_directory(sealed);
    // Attachments the download skipped as unchanged keep the blob they are already stored in.
    std::vector<std::size_t> job_of_object(full.objects.size(), SIZE_MAX);
    std::set<std::string> listed;
    for (std::size_t i = 0; i < full.objects.size(); ++i) {
      auto& o = full.objects[i];
      fs::path plain = local_path_for(attachments, o.path);
      if (const ManifestObject* reused = encryption.reused_blob(o.path); reused && !fs::exists(plain)) {
        o.blob = reused->blob_name();
        if (listed.insert(o.blob).second) summary.objects.push_back(*reused);
        continue;
      }
      job_of_object[i] = jobs.size();
      jobs.push_back(
          {.plain = plain, .sealed = sealed, .name_blob = true, .blob = encryption.downloaded_blob_name(o.path)});
    }
    seal_files(jobs, key, kSealThreads);
    for (std::size_t i = 0; i < full.objects.size(); ++i)
      if (job_of_object[i] != SIZE_MAX) full.objects[i].blob = jobs[job_of_object[i]].blob;
    for (const auto& job : jobs) {
      if (job.duplicate || !listed.insert(job.blob).second) continue;
      ManifestObject so;
      so.path = job.blob;
      so.blob = job.blob;
      so.size = job.stored_bytes;
      so.xxh3_128 = job.stored_xxh3_128;
      summary.objects.push_back(std::move(so));
    }
    fs::remove_all(attachments);
    fs::rename(sealed, attachments);
  } else {
    // A folder set's attachments were all encrypted as they downloaded (an encrypted folder
    // backup reuses none from an older set) and flushed as they completed.
    for (const auto& o : full.objects) {
      auto stored = encryption.encrypted_download(o.path);
      if (!stored)
        throw std::logic_error("the attachment " + o.path + " of " + prefix + " was not encrypted as it downloaded");
      ManifestObject so;
      so.path = o.path;
      so.size = stored->size;
      so.xxh3_128 = stored->xxh3_128;
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
