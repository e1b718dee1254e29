#include "engine/repo/readable_set.hpp"

#include <filesystem>
#include <optional>

#include "crypto/encrypted_stream.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/backupset/path_safety.hpp"
#include "engine/errors.hpp"
#include "engine/io/sink.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/private_temp_folder.hpp"
#include "engine/repo/temporary_local_set.hpp"

namespace crm::engine::repo {
namespace fs = std::filesystem;

namespace {

// Streams one stored part through the decryptor into sink. A part that does not decrypt makes
// the whole set damaged; the message names the part.
void decrypt_part(Repository& repo, const SetInfo& stored, const std::string& stored_name, const std::string& shown,
                  const crypto::DataKey& key, const std::string& binding, Sink& sink) {
  try {
    auto reader = repo.open_part(stored, stored_name);
    crypto::StreamDecryptor dec(key, binding, shown,
                                [&](char* buf, std::size_t cap) { return reader->read(buf, cap); });
    std::string buf(1 << 16, '\0');
    for (std::size_t n; (n = dec.read(buf.data(), buf.size())) > 0;) sink.write(std::string_view(buf.data(), n));
  } catch (const crypto::StreamError& e) {
    throw DamagedSetError("the encrypted backup " + stored.name.prefix + " is damaged, refusing to use it: " + e.what());
  }
}

}  // namespace

Manifest read_real_manifest(Repository& repo, const SetInfo& stored, const crypto::DataKey& key) {
  const std::string& prefix = stored.name.prefix;
  const std::string name = prefix + "-" + std::string(kEncryptedManifestPart);
  StringSink json;
  decrypt_part(repo, stored, name, repo.display() + (repo.is_folder() ? "/" : "") + name, key,
               part_binding(prefix, kEncryptedManifestPart), json);
  Manifest full = parse_manifest(json.str(), name);
  if (full.prefix != prefix) throw DamagedSetError("the encrypted manifest of " + prefix + " describes " + full.prefix);
  return full;
}

std::unique_ptr<LocalSet> open_readable_set(Repository& repo, const SetInfo& stored, bool with_attachments,
                                            const KeyUnlocker& unlock) {
  if (!is_encrypted(stored)) return repo.local_set(stored, with_attachments);
  const std::string& prefix = stored.name.prefix;
  // What messages call a part: where it is stored.
  auto shown = [&](const std::string& name) { return repo.display() + (repo.is_folder() ? "/" : "") + name; };
  crypto::DataKey key = [&] {
    if (!repo.is_folder()) return unlock(repo);
    // A folder set may be named by path, outside the configured folder: its key file is beside it.
    FolderRepository beside(stored.part("manifest.json").parent_path());
    return unlock(beside);
  }();
  // A remote set's encrypted files are fetched first, several at once (local_set), then
  // decrypted from that private copy; a folder set is decrypted where it is.
  std::unique_ptr<LocalSet> fetched;
  std::optional<FolderRepository> fetched_repo;
  Repository* from = &repo;
  const SetInfo* source = &stored;
  if (!repo.is_folder()) {
    fetched = repo.local_set(stored, with_attachments);
    fetched_repo.emplace(fetched->set().part("manifest.json").parent_path());
    from = &*fetched_repo;
    source = &fetched->set();
  }
  fs::path dir = make_private_temp_folder(fs::temp_directory_path(), prefix + "-decrypted");
  try {
    StringSink manifest_json;
    const std::string manifest_part(kEncryptedManifestPart);
    decrypt_part(*from, *source, prefix + "-" + manifest_part, shown(prefix + "-" + manifest_part), key,
                 part_binding(prefix, manifest_part), manifest_json);
    Manifest full = parse_manifest(manifest_json.str(), prefix + "-" + manifest_part);
    if (full.prefix != prefix)
      throw DamagedSetError("the encrypted manifest of " + prefix + " describes " + full.prefix);
    for (const auto& f : full.files) {
      if (f.name.rfind(prefix + "-", 0) != 0 || f.name.find('/') != std::string::npos)
        throw DamagedSetError("the encrypted manifest of " + prefix + " lists a file outside the set: " + f.name);
      AtomicFile out(dir / f.name);
      decrypt_part(*from, *source, f.name, shown(f.name), key, part_binding(prefix, f.name.substr(prefix.size() + 1)), out);
      out.commit();
    }
    if (with_attachments && full.attachments_included) {
      const fs::path attachments = dir / (prefix + "-attachments");
      create_private_directory(attachments);
      for (const auto& o : full.objects) {
        fs::path local = local_path_for(attachments, o.path);
        create_private_directory(local.parent_path());
        AtomicFile out(local);
        // Blobs are shared by sets, so they are bound to their name; a folder set's files to their path.
        const std::string stored_name = prefix + "-attachments/" + (o.blob.empty() ? o.path : o.blob);
        const std::string where = o.blob.empty() ? shown(stored_name)
                                                 : shown(std::string("blobs/") + o.blob) + " (attachment " + o.path + ")";
        decrypt_part(*from, *source, stored_name, where, key,
                     o.blob.empty() ? attachment_binding(prefix, o.path) : blob_binding(o.blob), out);
        out.commit();
      }
    }
    {
      AtomicFile mf(dir / (prefix + "-manifest.json"));
      mf.write(manifest_to_json(full));
      mf.commit();
    }
    for (auto& s : scan_backup_dir(dir))
      if (s.name.prefix == prefix) return std::make_unique<TemporaryLocalSet>(dir, std::move(s));
    throw std::runtime_error("the decrypted copy of " + prefix + " in " + dir.string() + " is not readable as a set");
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
}

}  // namespace crm::engine::repo
