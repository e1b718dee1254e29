#include "engine/attachments/attachments.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/attachments/offloaded_transform.hpp"
#include "engine/backupset/path_safety.hpp"
#include "engine/format/human.hpp"
#include "engine/io/io_error.hpp"
#include "engine/io/progress.hpp"
#include "engine/io/sink.hpp"
#include "storage-api/errors.hpp"
#include "storage-api/file_syncer.hpp"
#include "storage-api/transfer_engine.hpp"

namespace crm::engine {
namespace fs = std::filesystem;
namespace {

// Creates the folders of a file below root, each 0700, refusing to pass through a symlink,
// and makes them durable: a folder is fsynced (in the background, with others in parallel) as
// soon as the last file downloaded into it is in place, so the end of the backup has almost
// no folder left to flush. A bucket's folders number in the hundreds.
class FolderMaker {
 public:
  FolderMaker(fs::path root, std::string_view where) : root_(std::move(root)), where_(where), syncer_(16) {
    pending_[root_.native()] = 0;
  }
  // Why the folder cannot be made (this object fails); a full disk throws (everything stops).
  std::optional<std::string> ensure_parent(const fs::path& file) {
    fs::path rel = file.parent_path().lexically_relative(root_);
    fs::path cur = root_;
    for (const auto& part : rel) {
      if (part == ".") continue;
      cur /= part;
      if (pending_.count(cur.native())) continue;
      // mkdir first: a new folder costs one system call; an existing one must be a real folder.
      if (::mkdir(cur.c_str(), 0700) == 0) {
        if (owner_bits_masked_ && ::chmod(cur.c_str(), 0700) != 0) return cannot_create(cur);
      } else if (errno == EEXIST) {
        struct stat st{};
        if (::lstat(cur.c_str(), &st) != 0) return cannot_create(cur);
        if (!S_ISDIR(st.st_mode)) return fmt::format("{} exists and is not a folder", cur.string());
      } else {
        return cannot_create(cur);
      }
      pending_[cur.native()] = 0;
    }
    return std::nullopt;
  }
  // Records the folders of a file below root that its download makes when it starts
  // (DownloadOptions::create_folders): no system call here, so the transfers start at once.
  void plan_parent(const fs::path& file) {
    for_each_folder_of(file, [&](const fs::path& dir) { pending_.try_emplace(dir.native(), 0); });
  }
  // A file will be downloaded below every folder on its path. A folder is flushed once
  // everything below it has landed: by then its files and its subfolders' entries are there,
  // however late a lazily made subfolder appeared.
  void expect(const fs::path& file) {
    for_each_folder_of(file, [&](const fs::path& dir) { ++pending_[dir.native()]; });
  }
  // Every folder that will receive no download is complete already.
  void start_syncing() {
    for (const auto& [dir, n] : pending_)
      if (n == 0) submit(dir);
  }
  // The download of `file` ended (its rename is done, or it failed).
  void done(const fs::path& file) {
    for_each_folder_of(file, [&](const fs::path& dir) {
      auto it = pending_.find(dir.native());
      if (it != pending_.end() && it->second > 0 && --it->second == 0) submit(it->first);
    });
  }
  // Every folder and the entry of root in its parent on disk.
  void finish() {
    submit(root_.parent_path());
    try {
      syncer_.wait_all();
    } catch (const std::system_error& e) {
      throw with_disk_full_hint(e, where_);
    }
  }

 private:
  std::string cannot_create(const fs::path& dir) const {
    if (is_disk_full(errno)) throw io_error("cannot create folder", dir, errno, where_);
    return fmt::format("cannot create folder {}: {}", dir.string(), std::strerror(errno));
  }
  // The folders from file's own up to root, deepest first.
  template <class F>
  void for_each_folder_of(const fs::path& file, F&& f) {
    for (fs::path dir = file.parent_path(); dir.native().size() >= root_.native().size(); dir = dir.parent_path()) {
      f(dir);
      if (dir == root_) break;
    }
  }
  void submit(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    // A lazily made folder whose every download failed before making it: nothing to flush.
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) return;
    if (fd < 0) throw io_error("cannot open folder", dir, errno, where_);
    syncer_.submit(fd, dir, storage::FileSyncer::Flush::kFolder);
  }
  // Whether the umask takes bits off 0700 (then mkdir's mode needs a chmod).
  static bool owner_bits_masked() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("Umask:", 0) == 0) return (std::stoul(line.substr(6), nullptr, 8) & 0700) != 0;
    return true;  // unknown: always chmod
  }

  fs::path root_;
  std::string where_;
  bool owner_bits_masked_ = owner_bits_masked();
  std::map<std::string, std::size_t> pending_;  // folder -> downloads still to land in it
  storage::FileSyncer syncer_;
};

}  // namespace

BackupAttachmentsResult backup_attachments(const storage::StorageConfig& cfg, const fs::path& dest_dir,
                                           const BackupAttachmentsOptions& opts) {
  auto t0 = std::chrono::steady_clock::now();
  auto log = [&](const std::string& m) {
    if (opts.log) opts.log(m);
  };
  storage::StorageClient client(cfg);
  log("  Counting files...");
  std::vector<storage::ObjectEntry> listing = client.list_all();
  // A missing bucket lists as empty: only an empty listing costs the extra round trip that
  // tells the two apart (on a distant server every round trip before the first transfer shows).
  if (listing.empty() && !client.bucket_exists())
    throw storage::StorageError(storage::ErrorKind::kBucketMissing,
                                fmt::format("storage bucket '{}' does not exist at {} (a missing bucket lists as "
                                            "empty, so nothing would be backed up); check --bucket and --storage-url",
                                            cfg.bucket, cfg.base_url));
  BackupAttachmentsResult result;
  result.listing = client.last_listing_method();
  std::uint64_t total = 0;
  for (const auto& o : listing) total += o.size;
  // The old scripts' wording, which users and their log filters know.
  log(fmt::format("  Found {} files to backup", format_count(listing.size())));
  log(fmt::format("  Copying attachments ({}; this may take a while for large backups)...", Progress::format_bytes(total)));

  create_private_directory(dest_dir);
  fs::path root = fs::absolute(dest_dir).lexically_normal();
  std::vector<std::string> names;
  names.reserve(listing.size());
  for (const auto& o : listing) names.push_back(o.name);
  std::unordered_map<std::string, std::string> refused;
  for (auto& [name, why] : local_conflicts(names)) refused.emplace(name, why);

  FolderMaker folders(root, opts.output_name);
  // Reuse links files from the previous set into the folders, which must exist first; a full
  // download lets each transfer make its folder as it starts.
  const bool lazy_folders = !opts.reuse;
  std::vector<ObjectRecord> reused;
  std::vector<storage::DownloadJob> jobs;
  std::vector<const storage::ObjectEntry*> job_entries;
  for (const auto& o : listing) {
    if (auto it = refused.find(o.name); it != refused.end()) {
      result.failures.push_back({o.name, "refused: " + it->second});
      continue;
    }
    fs::path dest;
    try {
      dest = local_path_for(root, o.name);
    } catch (const UnsafeObjectName& e) {
      result.failures.push_back({o.name, e.what()});
      continue;
    }
    if (lazy_folders) {
      folders.plan_parent(dest);
    } else if (auto err = folders.ensure_parent(dest)) {
      result.failures.push_back({o.name, *err});
      continue;
    }
    if (opts.reuse) {
      if (std::optional<ObjectRecord> kept = opts.reuse(o, dest)) {
        kept->downloaded = false;
        result.bytes += kept->size;
        reused.push_back(std::move(*kept));
        continue;
      }
    }
    jobs.push_back({o.name, dest, o.size});
    job_entries.push_back(&o);
    folders.expect(dest);
  }
  folders.start_syncing();

  ProgressOptions popts;
  popts.label = opts.progress_label;
  popts.enabled = opts.show_progress;
  std::uint64_t to_download = 0;
  for (const auto& j : jobs) to_download += j.expected_size.value_or(0);
  if (!reused.empty())
    log(fmt::format("  Reusing {} unchanged files; downloading {}", format_count(reused.size()),
                    format_count(jobs.size())));
  Progress progress(popts, to_download, jobs.size());
  storage::TransferObserver obs;
  obs.on_bytes = [&](std::uint64_t n) { progress.add_bytes(n); };
  obs.on_rewind = [&](std::uint64_t n) { progress.take_back_bytes(n); };
  std::unordered_map<std::string, const fs::path*> dest_of;
  for (const auto& j : jobs) dest_of.emplace(j.name, &j.dest);
  obs.on_done = [&](const std::string& name, bool) {
    progress.add_files();
    folders.done(*dest_of.at(name));
  };
  std::vector<storage::DownloadResult> done;
  try {
    storage::DownloadOptions dopts{.durable = opts.durable, .create_folders = lazy_folders};
    if (opts.on_landed)
      dopts.on_landed = [&](const storage::DownloadJob& j, const storage::DownloadResult& r) {
        opts.on_landed(j.name, j.dest, r.size, r.xxh3_128);
      };
    std::optional<TransformWorkers> transform_workers;
    if (opts.transform) {
      transform_workers.emplace();
      dopts.transform = [&](std::size_t job, storage::BodyTransform::Output out) {
        return transform_workers->offload(opts.transform(jobs[job].name, std::move(out)));
      };
    }
    done = storage::download_objects(cfg, jobs, obs, dopts);
  } catch (const std::system_error& e) {
    progress.finish();
    // The storage layer stopped every transfer at the first full-disk error: one message.
    if (is_disk_full(e)) throw with_disk_full_hint(e, opts.output_name);
    throw;
  } catch (...) {
    progress.finish();
    throw;
  }
  progress.finish();

  for (std::size_t i = 0; i < done.size(); ++i) {
    const auto& d = done[i];
    const storage::ObjectEntry& o = *job_entries[i];
    if (!d.ok) {
      result.failures.push_back({d.name, d.error});
      continue;
    }
    ObjectRecord r;
    r.path = d.name;
    r.size = d.size;
    r.xxh3_128 = d.xxh3_128;
    // The listing's metadata is what the bucket recorded; headers only fill gaps.
    r.content_type = !o.content_type.empty() ? o.content_type : d.content_type;
    r.cache_control = !o.cache_control.empty() ? o.cache_control : d.cache_control;
    r.etag = !o.etag.empty() ? o.etag : d.etag;
    r.last_modified = !o.last_modified.empty() ? o.last_modified : d.last_modified;
    result.bytes += d.size;
    result.objects.push_back(std::move(r));
  }
  for (auto& r : reused) result.objects.push_back(std::move(r));
  std::sort(result.objects.begin(), result.objects.end(),
            [](const ObjectRecord& a, const ObjectRecord& b) { return a.path < b.path; });
  // Every downloaded file was flushed as it completed (download_objects, durable) and copies
  // of reused ones when they were made; the folders as their last file landed.
  folders.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace crm::engine
