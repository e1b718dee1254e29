#include "engine/backup/copy_encrypted_set.hpp"

#include <fstream>
#include <memory>
#include <stdexcept>

#include "engine/backup/set_encryption.hpp"
#include "engine/backupset/path_safety.hpp"
#include "engine/io/hash.hpp"
#include "engine/repo/readable_set.hpp"
#include "storage-api/body_transform.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

// Streams a decrypted file of the source into a sink (a part being encrypted for the target).
std::uint64_t pour(const fs::path& from, Sink& into) {
  std::ifstream in(from, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the decrypted copy " + from.string());
  std::string buf(1u << 20, '\0');
  std::uint64_t total = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    into.write(std::string_view(buf.data(), n));
    total += n;
  }
  if (in.bad()) throw std::runtime_error("cannot read the decrypted copy " + from.string());
  return total;
}

// The plaintext of an attachment on its way into its staged file, through the encryption when
// there is one; hashes what it is given, the plaintext the manifest records.
class TransformSink final : public Sink {
 public:
  TransformSink(storage::BodyTransform* transform, Sink& file) : transform_(transform), file_(file) {}
  void write(std::string_view bytes) override {
    hash_.update(bytes);
    if (transform_) transform_->write(bytes);
    else file_.write(bytes);
  }
  std::string hash_hex() const { return hash_.hex(); }

 private:
  storage::BodyTransform* transform_;
  Sink& file_;
  Xxh3Hasher hash_;
};

}  // namespace

repo::SetCopyStats copy_encrypted_set(repo::Repository& source, const SetInfo& set, repo::Repository& target,
                                      repo::SetReservation& writer, const repo::KeyUnlocker& source_key,
                                      const repo::KeyUnlocker& target_key,
                                      const std::function<void()>& check_interrupted) {
  // The target's key first: a missing or wrong passphrase stops before anything is fetched.
  auto encryption = std::make_unique<SetEncryption>(std::make_shared<const crypto::DataKey>(target_key(target)));
  auto plain = repo::open_readable_set(source, set, /*with_attachments=*/true, source_key);
  const SetInfo& local = plain->set();
  if (!local.manifest) throw std::runtime_error("the decrypted copy of " + set.name.prefix + " has no manifest");
  Manifest full = *local.manifest;
  // How the source stored the attachments is not how the target stores them.
  full.options.erase("attachments_layout");
  for (auto& o : full.objects) o.blob.clear();

  const std::string& prefix = set.name.prefix;
  repo::SetCopyStats stats;
  for (const auto& f : full.files) {
    check_interrupted();
    const std::string part = f.name.substr(prefix.size() + 1);
    PartFile out(writer, part, encryption.get());
    stats.bytes += pour(local.part(part), out);
    if (out.bytes() != f.size || out.hash_hex() != f.xxh3_128)
      throw std::runtime_error(f.name + " of " + prefix + " does not match its manifest after decryption");
    out.commit();
    ++stats.files;
  }
  if (full.attachments_included) {
    const fs::path from = local.part("attachments");
    const fs::path to = writer.staging_path("attachments");
    create_private_directory(to);
    for (const auto& o : full.objects) {
      check_interrupted();
      fs::path dest = local_path_for(to, o.path);
      create_private_directory(dest.parent_path());
      AtomicFile out(dest);
      // A folder target's attachments are encrypted on their way into the staged file, as a
      // backup's downloads are; an S3 target's are sealed into blobs at commit.
      std::unique_ptr<storage::BodyTransform> encrypt;
      if (target.is_folder())
        encrypt = encryption->encrypt_download(prefix, o.path, [&out](std::string_view b) { out.write(b); });
      TransformSink into(encrypt.get(), out);
      stats.bytes += pour(local_path_for(from, o.path), into);
      if (encrypt) encrypt->finish();
      if (into.hash_hex() != o.xxh3_128)
        throw std::runtime_error("the attachment " + o.path + " of " + prefix + " does not match its manifest");
      out.commit();
      ++stats.files;
    }
  }
  check_interrupted();
  writer.commit(seal_encrypted_set(writer, full, *encryption, /*blobs=*/!target.is_folder()));
  return stats;
}

}  // namespace crm::engine
