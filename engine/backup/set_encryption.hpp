#pragma once
// The writing half of an encrypted set (docs/encryption-format.md, "Sets"): each part passes
// through an EncryptingSink into its staged file, so the staging folder, and everything the
// repository uploads or renames from it, only ever holds encrypted bytes; sealing encrypts the
// staged attachments and the real manifest and gives the plain summary to commit.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "crypto/data_key.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/io/encrypting_sink.hpp"
#include "engine/io/hash.hpp"
#include "engine/io/sink.hpp"
#include "engine/repo/repository.hpp"
#include "storage-api/body_transform.hpp"

namespace crm::engine {

// One run's encryption: the repository's data key and what the encrypted parts hold on disk.
class SetEncryption {
 public:
  explicit SetEncryption(std::shared_ptr<const crypto::DataKey> key) : key_(std::move(key)) {}
  const crypto::DataKey& key() const { return *key_; }

  struct Stored {
    std::uint64_t size = 0;
    std::string xxh3_128;
  };
  void record_stored(const std::string& part, Stored stored) { stored_[part] = std::move(stored); }
  const Stored& stored(const std::string& part) const;

  // For the attachments download into an S3 repository: answers for the attachments unchanged
  // since the newest encrypted set (repo/encrypted_attachment_reuse.hpp) and remembers their
  // blobs, which sealing lists again instead of encrypting anything.
  repo::AttachmentReuse stored_attachment_reuse(repo::Repository& repo, const std::string& prefix);
  // The stored blob (summary entry) of a reused attachment, or nullptr.
  const ManifestObject* reused_blob(const std::string& path) const;

  // Folder sets: the attachment at `path` encrypted as it downloads into the staged file `out`
  // writes to, bound to "<prefix>/attachments/<path>"; a completed download records its stored
  // file, which sealing then lists instead of encrypting the file again.
  std::unique_ptr<storage::BodyTransform> encrypt_download(const std::string& prefix, const std::string& path,
                                                           storage::BodyTransform::Output out);
  // The stored file of an attachment encrypted while it downloaded, or nullopt.
  std::optional<Stored> encrypted_download(const std::string& path) const;
  // S3 sets: the attachment at `path` written as it arrives, its blob name computed on the way;
  // sealing then reads the file once, to encrypt it.
  std::unique_ptr<storage::BodyTransform> name_download(const std::string& path, storage::BodyTransform::Output out);
  // The blob name of a completed download, or "".
  std::string downloaded_blob_name(const std::string& path) const;

 private:
  std::shared_ptr<const crypto::DataKey> key_;
  std::map<std::string, Stored> stored_;  // part ("roles.sql") -> its encrypted file
  std::shared_ptr<const std::map<std::string, ManifestObject>> reused_blobs_;
  mutable std::mutex downloads_mu_;  // downloads complete on the transfer thread
  std::map<std::string, Stored> encrypted_downloads_;  // bucket path -> its encrypted staged file
  std::map<std::string, std::string> named_downloads_;  // bucket path -> its blob name
};

// A part of the set being written: an AtomicFile in the staging folder, behind an
// EncryptingSink bound to "<prefix>/<part>" when the run is encrypted. bytes() and hash_hex()
// describe the plaintext, as the real manifest records them; the encrypted file's size and
// hash go to the SetEncryption for the summary.
class PartFile final : public Sink {
 public:
  PartFile(const repo::SetReservation& writer, const std::string& part, SetEncryption* encryption);
  void write(std::string_view bytes) override;
  void commit();
  std::uint64_t bytes() const { return plain_bytes_; }
  std::string hash_hex() const { return plain_hash_.hex(); }

 private:
  std::string part_;
  SetEncryption* encryption_;
  AtomicFile file_;
  std::unique_ptr<EncryptingSink> encrypt_;
  Xxh3Hasher plain_hash_;
  std::uint64_t plain_bytes_ = 0;
};

// Encrypts the staged attachments (blobs: renamed to their keyed BLAKE2b names, one per
// distinct content, as the S3 repository stores them; otherwise in place, bound to their path)
// and stages "manifest.enc" holding `full` (with the blob names). Returns the plain summary
// that commit() writes last.
Manifest seal_encrypted_set(const repo::SetReservation& writer, const Manifest& full, SetEncryption& encryption,
                            bool blobs);

}  // namespace crm::engine
