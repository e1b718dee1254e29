#include <map>
#include <set>

#include <fmt/format.h>

#include "engine/attachments/attachments.hpp"
#include "engine/backupset/path_safety.hpp"
#include "engine/io/hash.hpp"
#include "engine/format/human.hpp"
#include "engine/io/progress.hpp"
#include "storage-api/errors.hpp"
#include "storage-api/transfer_engine.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

RestoreAttachmentsResult restore_attachments(const storage::StorageConfig& cfg, const fs::path& src_dir,
                                             const std::vector<ObjectRecord>& objects,
                                             const RestoreAttachmentsOptions& opts) {
  auto log = [&](const std::string& m) {
    if (opts.log) opts.log(m);
  };
  RestoreAttachmentsResult result;
  storage::StorageClient client(cfg);
  if (!client.bucket_exists()) {
    if (!opts.create_bucket)
      throw storage::StorageError(storage::ErrorKind::kBucketMissing,
                                  fmt::format("storage bucket '{}' does not exist at {}", cfg.bucket, cfg.base_url));
    log(fmt::format("  Creating bucket '{}'...", cfg.bucket));
    client.create_bucket(false);
  }

  std::vector<LocalObject> local;
  if (objects.empty()) {
    bool legacy = false;
    local = scan_attachments_folder(src_dir, &legacy);
    if (legacy) log("  Using the old scripts' layout (attachments/<object path>/<version>)");
  } else {
    for (const auto& r : objects) local.push_back({r, {}});
  }

  std::vector<storage::UploadJob> jobs;
  std::map<std::string, const ObjectRecord*> wanted;
  std::uint64_t total = 0;
  for (auto& lo : local) {
    const ObjectRecord& r = lo.record;
    if (auto why = unsafe_name_reason(r.path)) {
      result.failures.push_back({r.path, "refused: " + *why});
      continue;
    }
    if (lo.file.empty()) lo.file = src_dir / fs::path(r.path);
    std::error_code ec;
    auto size = fs::file_size(lo.file, ec);
    if (ec) {
      result.failures.push_back({r.path, "missing from the backup: " + lo.file.string()});
      continue;
    }
    if (size != r.size) {
      result.failures.push_back({r.path, fmt::format("{} has {} bytes, the manifest says {}", lo.file.string(), size, r.size)});
      continue;
    }
    wanted[r.path] = &r;
    jobs.push_back({r.path, lo.file, r.content_type, r.cache_control});
    total += r.size;
  }

  log(fmt::format("  Uploading {} files ({})...", format_count(jobs.size()), Progress::format_bytes(total)));
  {
    ProgressOptions popts;
    popts.label = "attachments upload";
    popts.enabled = opts.show_progress;
    Progress progress(popts, total, jobs.size());
    storage::TransferObserver obs;
    obs.on_bytes = [&](std::uint64_t n) { progress.add_bytes(n); };
    obs.on_rewind = [&](std::uint64_t n) { progress.take_back_bytes(n); };
    obs.on_done = [&](const std::string&, bool) { progress.add_files(); };
    for (const auto& u : storage::upload_objects(cfg, jobs, obs)) {
      if (u.ok) {
        ++result.uploaded;
        result.bytes += u.size;
      } else {
        result.failures.push_back({u.name, "upload failed: " + u.error});
      }
    }
  }

  std::vector<storage::ObjectEntry> listing = client.list_all();
  if (opts.delete_extra) {
    std::vector<std::string> extra;
    for (const auto& o : listing)
      if (!wanted.count(o.name)) extra.push_back(o.name);
    if (!extra.empty()) {
      log(fmt::format("  Deleting {} objects that are not in the backup...", extra.size()));
      result.deleted = client.delete_objects(extra).size();
      listing = client.list_all();
    }
  }

  // The bucket must now list exactly the backup's names with the backup's sizes.
  std::set<std::string> failed;
  for (const auto& f : result.failures) failed.insert(f.path);
  std::map<std::string, std::uint64_t> present;
  for (const auto& o : listing) present[o.name] = o.size;
  bool match = result.failures.empty();
  for (const auto& [name, rec] : wanted) {
    auto it = present.find(name);
    if (it == present.end()) {
      match = false;
      if (!failed.count(name)) result.failures.push_back({name, "not in the bucket after the restore"});
    } else if (it->second != rec->size) {
      match = false;
      result.failures.push_back({name, fmt::format("the bucket has {} bytes, the backup {}", it->second, rec->size)});
    }
  }
  if (opts.delete_extra) {
    for (const auto& [name, size] : present) {
      if (wanted.count(name)) continue;
      match = false;
      result.failures.push_back({name, "still in the bucket although it is not in the backup"});
    }
  }
  result.listing_matches = match;

  if (opts.verify_download) {
    log("  Verifying: downloading every object again and comparing hashes...");
    std::vector<storage::DownloadJob> checks;
    std::vector<std::string> expected;
    for (const auto& lo : local) {
      auto it = wanted.find(lo.record.path);
      if (it == wanted.end()) continue;
      checks.push_back({lo.record.path, {}, lo.record.size});
      expected.push_back(lo.record.xxh3_128.empty() ? xxh3_128_file(lo.file) : lo.record.xxh3_128);
    }
    bool all = true;
    auto got = storage::download_objects(cfg, checks);
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (!got[i].ok) {
        all = false;
        result.failures.push_back({got[i].name, "verification download failed: " + got[i].error});
      } else if (got[i].xxh3_128 != expected[i]) {
        all = false;
        result.failures.push_back(
            {got[i].name, fmt::format("hash differs after restore: bucket {}, backup {}", got[i].xxh3_128, expected[i])});
      }
    }
    result.hashes_verified = all;
  }
  return result;
}

}  // namespace crm::engine
