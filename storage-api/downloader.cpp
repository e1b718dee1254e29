// Downloads: each body streamed to <dest>.partial, hashed while it arrives, size-checked
// against the listing, renamed when complete (and flushed in the background when durable).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "storage-api/client.hpp"
#include "storage-api/file_syncer.hpp"
#include "storage-api/transfer_loop.hpp"

namespace crm::storage {
namespace {
using namespace detail;

// A big file's pages are handed to the disk every this many bytes while it downloads, so
// neither its end nor the final flush has gigabytes to write.
constexpr std::uint64_t kWritebackBytes = 8ull << 20;

// Appends to the slot's file and hands a big file's pages to the disk as they accumulate;
// throws std::system_error when the file cannot take them.
void write_file(Slot& s, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t w = ::write(s.fd, bytes.data(), bytes.size());
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw std::system_error(errno, std::generic_category(), "cannot write the downloaded bytes");
    bytes.remove_prefix(static_cast<std::size_t>(w));
    s.file_bytes += static_cast<std::uint64_t>(w);
  }
  if (s.writeback_from != kNoWriteback && s.file_bytes - s.writeback_from >= kWritebackBytes) {
    FileSyncer::start_writeback(s.fd, s.writeback_from, s.file_bytes - s.writeback_from);
    s.writeback_from = s.file_bytes;
  }
}

std::size_t on_download(char* p, std::size_t sz, std::size_t n, void* ud) {
  auto* s = static_cast<Slot*>(ud);
  std::size_t len = sz * n;
  if (s->http == 0) curl_easy_getinfo(s->easy.get(), CURLINFO_RESPONSE_CODE, &s->http);
  if (s->http != 200) return on_body_text(p, sz, n, ud);
  if (!s->discard) {
    try {
      if (s->transform) s->transform->write(std::string_view(p, len));
      else write_file(*s, std::string_view(p, len));
    } catch (const std::system_error& e) {
      s->local_errno = e.code().value();
      s->local_error = e.what();
      return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
    } catch (const std::exception& e) {
      s->local_error = e.what();
      return 0;
    }
  }
  XXH3_128bits_update(s->xxh.get(), p, len);
  s->bytes += len;
  s->report_bytes(len);
  return len;
}

// Makes the missing folders above file (0700 whatever the umask, no symlink followed); the
// errno of the first failure, 0 when they all exist.
int make_parent_folders(const std::filesystem::path& file) {
  std::vector<std::filesystem::path> missing;
  for (auto dir = file.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    struct stat st{};
    if (::lstat(dir.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return ENOTDIR;
      break;
    }
    if (errno != ENOENT) return errno;
    missing.push_back(dir);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) return errno;
    if (::chmod(it->c_str(), 0700) != 0) return errno;
  }
  return 0;
}

class Downloader final : public TransferLoop {
 public:
  Downloader(const StorageConfig& cfg, const std::vector<DownloadJob>& jobs, const TransferObserver& obs,
             const DownloadOptions& opts)
      : TransferLoop(cfg, jobs.size(), obs), jobs_(jobs), results_(jobs.size()) {
    for (std::size_t i = 0; i < jobs.size(); ++i) results_[i].name = jobs[i].name;
    if (opts.durable) syncer_ = std::make_unique<FileSyncer>();
    create_folders_ = opts.create_folders;
    on_landed_ = opts.on_landed;
    transform_ = opts.transform;
  }
  // Every downloaded file flushed (durable downloads); throws when one could not be.
  void wait_for_disk() {
    if (syncer_) syncer_->wait_all();
  }
  std::vector<DownloadResult> take() { return std::move(results_); }

 private:
  static std::filesystem::path partial(const DownloadJob& j) {
    std::filesystem::path p = j.dest;
    p += ".partial";
    return p;
  }

  // A flush that failed in the background stops everything when the disk is full.
  std::optional<Verdict> background_failure() const {
    if (!syncer_) return std::nullopt;
    auto f = syncer_->failure();
    if (!f || !is_disk_full(f->first)) return std::nullopt;
    return local_failure(f->first, "flush", f->second);
  }

  std::optional<Verdict> start(Slot& s, std::size_t job) override {
    if (auto v = background_failure()) return v;
    const DownloadJob& j = jobs_[job];
    prepare_easy(s, object_url(cfg_, "authenticated", j.name));
    s.bytes = 0;
    s.file_bytes = 0;
    s.transform.reset();
    XXH3_128bits_reset(s.xxh.get());
    s.discard = j.dest.empty();
    s.writeback_from = syncer_ ? 0 : kNoWriteback;
    if (!s.discard) {
      const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
      s.fd = ::open(partial(j).c_str(), flags, 0600);
      if (s.fd < 0 && errno == ENOENT && create_folders_) {
        if (int err = make_parent_folders(j.dest)) return local_failure(err, "create the folder of", partial(j));
        s.fd = ::open(partial(j).c_str(), flags, 0600);
      }
      if (s.fd < 0 || ::fchmod(s.fd, 0600) != 0) return local_failure(errno, "create", partial(j));
      // A new transform for every attempt: a retry starts over from the first byte. Making one
      // may already write (an encryption header), so it may fail as a write does.
      try {
        if (transform_) s.transform = transform_(job, [&s](std::string_view bytes) { write_file(s, bytes); });
      } catch (const std::system_error& e) {
        return local_failure(e.code().value(), "write", partial(j));
      } catch (const std::exception& e) {
        return Verdict{Verdict::kFail, e.what(), {}, {}};
      }
    }
    CURL* h = s.easy.get();
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, auth_.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_download);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    return std::nullopt;
  }

  Verdict finish(Slot& s, std::size_t job, CURLcode rc) override {
    const DownloadJob& j = jobs_[job];
    if (rc != CURLE_OK && s.local_errno) return local_failure(s.local_errno, "write", partial(j));
    Verdict v = classify(s, rc);
    if (v.kind != Verdict::kOk) return v;
    if (j.expected_size && s.bytes != *j.expected_size)
      return {Verdict::kRetry,
              fmt::format("received {} bytes but the listing says {} (short body or the object changed)", s.bytes,
                          *j.expected_size),
              {}, {}};
    if (!s.discard) {
      if (s.transform) {
        try {
          s.transform->finish();
        } catch (const std::system_error& e) {
          return local_failure(e.code().value(), "write", partial(j));
        } catch (const std::exception& e) {
          return {Verdict::kFail, e.what(), {}, {}};
        }
        s.transform.reset();
      }
      if (::rename(partial(j).c_str(), j.dest.c_str()) != 0)
        return local_failure(errno, "rename to " + j.dest.string() + ":", partial(j));
      if (syncer_) {
        // The descriptor goes to the syncer, which flushes and closes it.
        syncer_->submit(s.fd, j.dest);
        s.fd = -1;
      } else {
        int rc_close = ::close(s.fd);
        s.fd = -1;
        if (rc_close != 0) return local_failure(errno, "close", j.dest);
      }
    }
    if (auto bad = background_failure()) return *bad;
    DownloadResult& r = results_[job];
    r.ok = true;
    r.size = s.bytes;
    r.xxh3_128 = hex128(XXH3_128bits_digest(s.xxh.get()));
    r.content_type = s.content_type;
    r.cache_control = s.cache_control;
    r.etag = s.etag;
    r.last_modified = s.last_modified;
    r.attempts = attempts_[job];
    r.error.clear();
    if (on_landed_ && !s.discard) on_landed_(j, r);
    return v;
  }

  void give_up(Slot&, std::size_t job, const std::string& why) override {
    results_[job].ok = false;
    results_[job].attempts = attempts_[job];
    results_[job].error = why;
  }

  void release(Slot& s, bool success) override {
    s.transform.reset();
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    if (!success && s.job != kNoJob && !jobs_[s.job].dest.empty()) ::unlink(partial(jobs_[s.job]).c_str());
  }

  const std::string& name_of(std::size_t job) const override { return jobs_[job].name; }

  const std::vector<DownloadJob>& jobs_;
  std::vector<DownloadResult> results_;
  std::unique_ptr<FileSyncer> syncer_;
  bool create_folders_ = false;
  std::function<void(const DownloadJob&, const DownloadResult&)> on_landed_;
  BodyTransformFactory transform_;
};


}  // namespace

std::vector<DownloadResult> download_objects(const StorageConfig& cfg, const std::vector<DownloadJob>& jobs,
                                             const TransferObserver& observer, const DownloadOptions& options) {
  Downloader d(cfg, jobs, observer, options);
  d.run(jobs.size());
  d.wait_for_disk();
  return d.take();
}


}  // namespace crm::storage
