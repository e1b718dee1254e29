// S3Repository::reserve: the lock first, parts from a private local staging folder, the
// manifest last, then the lock removed.
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "engine/backupset/set_name.hpp"
#include "engine/io/progress.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/parallel_transfers.hpp"
#include "engine/repo/private_temp_folder.hpp"
#include "engine/repo/s3_repository.hpp"

namespace crm::engine::repo {
namespace fs = std::filesystem;

namespace {

struct LocalPart {
  fs::path path;
  std::string name;  // below the repository root
  std::uint64_t size = 0;
};

// The staged parts as the folder layout names them: top-level files "<set>-<file>", folders
// (attachments) "<set>-<folder>/<relative path>". Hidden entries are the writers' temporaries.
std::vector<LocalPart> staged_parts(const fs::path& staging, const std::string& prefix) {
  std::vector<LocalPart> parts;
  for (const auto& e : fs::directory_iterator(staging)) {
    std::string fname = e.path().filename().string();
    if (fname.empty() || fname.front() == '.') continue;
    if (e.is_directory()) {
      for (const auto& f : fs::recursive_directory_iterator(e.path())) {
        if (!f.is_regular_file()) continue;
        parts.push_back({f.path(), prefix + "-" + fname + "/" + fs::relative(f.path(), e.path()).generic_string(),
                         f.file_size()});
      }
    } else if (e.is_regular_file()) {
      parts.push_back({e.path(), prefix + "-" + fname, e.file_size()});
    }
  }
  return parts;
}

class S3Reservation final : public SetReservation {
 public:
  // exact: a copy of a set from another repository, which keeps its prefix or fails.
  S3Reservation(S3Repository& repo, std::time_t now, const std::optional<std::string>& exact = std::nullopt)
      : repo_(repo) {
    s3::Client& c = repo_.client();
    std::set<std::string> taken;
    for (const auto& s : repo_.list_sets()) taken.insert(s.name.prefix);
    const int attempts = exact ? 1 : 3600;
    for (int attempt = 0; attempt < attempts && prefix_.empty(); ++attempt) {
      std::string candidate = exact ? *exact : make_prefix(now + attempt);
      if (taken.count(candidate)) continue;
      try {
        c.put_object(lock_key(c, candidate), lock_body(candidate),
                     {.content_type = "application/json", .if_none_match = true});
      } catch (const s3::S3Error& e) {
        if (e.kind() == s3::ErrorKind::kPreconditionFailed) continue;  // another backup took it this instant
        throw;
      }
      prefix_ = candidate;
    }
    if (prefix_.empty() && exact) throw std::runtime_error(repo_.display() + " already has objects of " + *exact);
    if (prefix_.empty()) throw std::runtime_error("no free backup prefix in the next hour in " + repo_.display());
    lock_key_ = lock_key(c, prefix_);
    try {
      staging_ = make_private_temp_folder(repo_.options().local_temp_root, prefix_);
    } catch (...) {
      delete_lock();
      throw;
    }
    heartbeat_ = std::make_unique<LockHeartbeat>(repo_.options().config, lock_key_, prefix_,
                                                  repo_.options().lock.heartbeat);
  }

  ~S3Reservation() override {
    if (!committed_) abort();
  }

  const std::string& prefix() const override { return prefix_; }
  const fs::path& staging_dir() const override { return staging_; }
  std::string final_location(std::string_view part) const override {
    return repo_.display() + prefix_ + "-" + std::string(part);
  }

  void commit(const Manifest& written) override {
    std::lock_guard lk(mu_);
    if (aborted_) throw std::runtime_error("the backup was interrupted");
    Manifest manifest = written;
    manifest.options["attachments_layout"] = "blobs";
    auto parts = blobs_for_attachments(staged_parts(staging_, prefix_), manifest);
    const auto& cfg = repo_.options().config;
    std::uint64_t total = 0;
    for (const auto& p : parts) total += p.size;
    Progress progress({.label = "upload", .enabled = show_progress_}, total, parts.size());
    run_transfers(cfg, parts.size(), cfg.transfers, [&](s3::Client& c, std::size_t i) {
      const LocalPart& p = parts[i];
      FilePartReader reader(p.path);
      try {
        // Counted as read: upload_stream reads each byte once and resends its own buffer on a retry.
        auto put = c.upload_stream(c.key_for(p.name),
                                   [&](char* buf, std::size_t cap) {
                                     std::size_t n = reader.read(buf, cap);
                                     progress.add_bytes(n);
                                     return n;
                                   },
                                   p.size);
        progress.add_files();
        if (put.size != p.size)
          throw std::runtime_error("uploaded " + std::to_string(put.size) + " bytes, the file has " +
                                   std::to_string(p.size));
      } catch (const std::exception& e) {
        std::throw_with_nested(std::runtime_error("cannot upload " + p.name + " to " + repo_.display() + ": " + e.what()));
      }
    });
    progress.finish();
    s3::Client& c = repo_.client();
    // Every blob the manifest names must be stored now: a prune that ran meanwhile may have
    // swept one found stored. Upload it again from the local copy, or fail without a manifest.
    auto stored = repo_.blob_sizes();
    for (const auto& o : manifest.objects) {
      auto it = stored.find(o.blob_name());
      if (it != stored.end() && it->second == o.size) continue;
      auto local = reused_.find(o.blob_name());
      if (local == reused_.end())
        throw std::runtime_error("the stored attachment " + o.path + " (blob " + o.blob_name() + ") disappeared from " +
                                 repo_.display() + " during the backup (a prune at the same time?): run the backup again");
      FilePartReader reader(local->second.path);
      c.upload_stream(c.key_for(std::string(kBlobFolder) + o.blob_name()),
                      [&](char* buf, std::size_t cap) { return reader.read(buf, cap); }, local->second.size);
      stored[o.blob_name()] = o.size;
    }
    objects_ = manifest.objects.size();
    objects_bytes_ = manifest.attachments_bytes();
    // Last: from this object on, readers take the set as complete.
    c.put_object(c.key_for(prefix_ + "-manifest.json"), manifest_to_json(manifest),
                 {.content_type = "application/json", .if_none_match = true});
    committed_ = true;
    heartbeat_->stop();
    delete_lock();
    remove_staging();
  }

  void abort() noexcept override {
    std::lock_guard lk(mu_);
    if (committed_ || aborted_) return;
    aborted_ = true;
    if (heartbeat_) heartbeat_->stop();
    remove_staging();
    try {
      s3::Client& c = repo_.client();
      auto keys = repo_.set_keys(prefix_);
      if (!keys.empty() && !c.delete_objects(keys).errors.empty()) return;  // the lock stays: the next run cleans
      delete_lock();
    } catch (const std::exception&) {
      // Unreachable now: the stale lock tells the next backup or prune to clean up.
    }
  }

  void abort_local() noexcept override { remove_staging(); }
  bool needs_attachment_bytes(const ManifestObject& o) override {
    if (!stored_blobs_) stored_blobs_ = repo_.blob_sizes();  // once per copy, not per object
    auto it = stored_blobs_->find(o.xxh3_128);
    return it == stored_blobs_->end() || it->second != o.size;
  }
  void set_show_progress(bool show) override { show_progress_ = show; }

  std::string commit_note() const override {
    if (!objects_) return "";
    return "  Attachments: " + std::to_string(uploaded_) + " uploaded, " + std::to_string(objects_ - uploaded_) +
           " already stored (" + std::to_string(objects_bytes_ - std::min(objects_bytes_, uploaded_bytes_)) +
           " bytes not sent)";
  }

 private:
  void delete_lock() noexcept {
    try {
      repo_.client().delete_object(lock_key_);
    } catch (const std::exception&) {
    }
  }
  void remove_staging() noexcept {
    std::error_code ec;
    if (!staging_.empty()) fs::remove_all(staging_, ec);
  }

  // The staged attachments become uploads to blobs/<hash>, except the blobs already stored
  // (an unchanged attachment uploads nothing) and repeats within the set.
  std::vector<LocalPart> blobs_for_attachments(std::vector<LocalPart> parts, const Manifest& m) {
    std::map<std::string, std::string> hash_of;
    for (const auto& o : m.objects) hash_of[o.path] = o.blob_name();
    const std::string att_folder = prefix_ + "-attachments/";
    auto stored = repo_.blob_sizes();
    std::set<std::string> scheduled;
    std::vector<LocalPart> out;
    for (auto& p : parts) {
      if (p.name.rfind(att_folder, 0) != 0) {
        out.push_back(std::move(p));
        continue;
      }
      auto h = hash_of.find(p.name.substr(att_folder.size()));
      if (h == hash_of.end())
        throw std::runtime_error("the attachment " + p.name + " is not in the manifest: the backup is not consistent");
      auto it = stored.find(h->second);
      if ((it != stored.end() && it->second == p.size) || !scheduled.insert(h->second).second) {
        reused_.emplace(h->second, p);
        continue;
      }
      ++uploaded_;
      uploaded_bytes_ += p.size;
      p.name = std::string(kBlobFolder) + h->second;
      out.push_back(std::move(p));
    }
    return out;
  }

  S3Repository& repo_;
  std::map<std::string, LocalPart> reused_;  // hash -> a local copy, should the blob vanish
  std::optional<std::map<std::string, std::uint64_t>> stored_blobs_;  // for needs_attachment_bytes
  std::size_t objects_ = 0, uploaded_ = 0;  // attachments in the manifest / blobs this run sent
  std::uint64_t objects_bytes_ = 0, uploaded_bytes_ = 0;
  bool show_progress_ = false;
  std::string prefix_, lock_key_;
  fs::path staging_;
  std::unique_ptr<LockHeartbeat> heartbeat_;
  std::mutex mu_;
  bool committed_ = false;
  bool aborted_ = false;
};

}  // namespace

std::unique_ptr<SetReservation> S3Repository::reserve(std::time_t now) {
  return std::make_unique<S3Reservation>(*this, now);
}

std::unique_ptr<SetReservation> S3Repository::reserve_named(const std::string& prefix) {
  return std::make_unique<S3Reservation>(*this, std::time(nullptr), prefix);
}

}  // namespace crm::engine::repo
