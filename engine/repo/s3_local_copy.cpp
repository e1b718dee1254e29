// S3Repository::local_set: a set copied into a private temporary folder in the folder layout
// (attachments from their blobs), for restore and verify, removed when released.
#include <sys/stat.h>

#include "engine/backupset/path_safety.hpp"
#include "engine/errors.hpp"
#include "engine/io/sink.hpp"
#include "engine/repo/parallel_transfers.hpp"
#include "engine/repo/private_temp_folder.hpp"
#include "engine/repo/temporary_local_set.hpp"
#include "engine/repo/s3_repository.hpp"

namespace crm::engine::repo {
namespace fs = std::filesystem;

std::unique_ptr<LocalSet> S3Repository::local_set(const SetInfo& set, bool with_attachments) {
  const std::string& prefix = set.name.prefix;
  fs::path dir = make_private_temp_folder(opts_.local_temp_root, prefix + "-copy");
  try {
    const std::string root = client_.key_for("");
    const std::string att_folder = prefix + "-attachments/";
    struct Item {
      std::string key;
      fs::path local;
      std::uint64_t size;
    };
    std::vector<Item> items;
    const bool blob_layout = set.manifest && uses_blobs(*set.manifest);
    if (blob_layout && with_attachments)
      for (const auto& ob : set.manifest->objects)
        items.push_back({client_.key_for(std::string(kBlobFolder) + ob.blob_name()),
                         local_path_for(dir / (prefix + "-attachments"), ob.path), ob.size});
    for (const auto& o : client_.list_all(client_.key_for(prefix + "-"))) {
      std::string name = o.key.substr(root.size());
      bool attachment = name.rfind(att_folder, 0) == 0;
      if (attachment && !with_attachments) continue;
      if (attachment) items.push_back({o.key, local_path_for(dir / (prefix + "-attachments"), name.substr(att_folder.size())), o.size});
      else if (name.find('/') == std::string::npos) items.push_back({o.key, dir / name, o.size});
    }
    if (with_attachments) fs::create_directories(dir / (prefix + "-attachments"));
    run_transfers(opts_.config, items.size(), opts_.config.transfers, [&](s3::Client& c, std::size_t i) {
      const Item& it = items[i];
      std::error_code ec;
      fs::create_directories(it.local.parent_path(), ec);
      ::chmod(it.local.parent_path().c_str(), 0700);
      AtomicFile f(it.local);
      c.get_object(it.key, [&](std::string_view d) { f.write(d); }, {.expected_size = it.size});
      f.commit();
    });
    for (auto& s : scan_backup_dir(dir))
      if (s.name.prefix == prefix) return std::make_unique<TemporaryLocalSet>(dir, std::move(s));
    throw UsageError("Backup files not found for prefix: " + prefix + " in " + display());
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
}

}  // namespace crm::engine::repo
