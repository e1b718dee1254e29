// S3Repository::reserve: the lock first, parts from a private local staging folder, each sent as
// soon as it is finished there (S3UploadQueue), the manifest last, then the lock removed.
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "engine/backupset/set_name.hpp"
#include "engine/io/progress.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/private_temp_folder.hpp"
#include "engine/repo/s3_repository.hpp"
#include "engine/repo/s3_upload_queue.hpp"

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
      : repo_(repo), uploads_(repo.options().config, repo.options().config.transfers, repo.display()) {
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

  void part_ready(std::string_view part) override {
    std::lock_guard lk(plan_mu_);
    if (aborted_) return;
    fs::path file = staging_path(part);
    std::string name = prefix_ + "-" + std::string(part);
    if (!submitted_.insert(name).second) return;
    ++submitted_files_;
    uploads_.submit({file, name, fs::file_size(file), name});
    // Listed here on the main thread rather than by the first attachment to land on a transfer
    // thread (the repository's client is not thread-safe).
    if (!stored_) stored_ = repo_.blob_sizes();
  }

  void attachment_ready(const std::string& object_path, const fs::path& file, std::uint64_t size,
                        const std::string& xxh3_128) noexcept override {
    try {
      std::lock_guard lk(plan_mu_);
      if (aborted_) return;
      announced_[object_path] = xxh3_128;
      if (auto up = plan_blob(xxh3_128, LocalPart{file, prefix_ + "-attachments/" + object_path, size}))
        uploads_.submit(std::move(*up));
    } catch (...) {
      // The queue holds the failure when it was an upload's; anything else shows again at
      // commit, which plans what was not sent.
    }
  }

  void commit(const Manifest& written) override {
    std::lock_guard lk(mu_);
    if (aborted_) throw std::runtime_error("the backup was interrupted");
    Manifest manifest = written;
    manifest.options["attachments_layout"] = "blobs";
    {
      std::lock_guard plan(plan_mu_);
      // What was not announced while the backup ran goes now.
      for (auto& up : unsent_parts(staged_parts(staging_, prefix_), manifest)) uploads_.submit(std::move(up));
    }
    Progress progress({.label = "upload", .enabled = show_progress_}, uploads_.bytes_submitted(), submitted_files_);
    std::uint64_t sent_before = uploads_.bytes_sent();
    uploads_.report_to(&progress);
    progress.add_bytes(sent_before);
    try {
      uploads_.finish();
    } catch (...) {
      uploads_.report_to(nullptr);
      throw;
    }
    uploads_.report_to(nullptr);
    progress.finish();
    s3::Client& c = repo_.client();
    // Every blob the manifest names must be stored now: a prune that ran meanwhile may have
    // swept one found stored. Upload it again from the local copy, or fail without a manifest.
    // The blobs this run sent are confirmed by their uploads; only the others are listed.
    bool all_sent_now = std::all_of(manifest.objects.begin(), manifest.objects.end(),
                                    [&](const ManifestObject& o) { return scheduled_.count(o.blob_name()) > 0; });
    if (!all_sent_now) restore_vanished_blobs(manifest);
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
    {
      std::lock_guard plan(plan_mu_);
      if (committed_ || aborted_) return;
      aborted_ = true;
    }
    // First: no upload of this set may still be running when its objects are listed below.
    uploads_.cancel();
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
    auto it = stored_blobs_->find(o.blob_name());
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

  void restore_vanished_blobs(const Manifest& manifest) {
    s3::Client& c = repo_.client();
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
  }

  // An attachment's content goes to blobs/<hash> unless that blob is stored already (an
  // unchanged attachment uploads nothing) or scheduled by this run (a repeat within the set);
  // those keep their local copy in case the stored blob vanishes before the manifest.
  std::optional<StagedUpload> plan_blob(const std::string& hash, LocalPart p) {
    if (!stored_) stored_ = repo_.blob_sizes();
    auto it = stored_->find(hash);
    if ((it != stored_->end() && it->second == p.size) || !scheduled_.insert(hash).second) {
      reused_.emplace(hash, std::move(p));
      return std::nullopt;
    }
    ++uploaded_;
    uploaded_bytes_ += p.size;
    ++submitted_files_;
    std::string blob = std::string(kBlobFolder) + hash;
    // Its staged copy goes once the blob is stored: the staging folder of a large set then
    // holds what is still on its way, not the whole set.
    return StagedUpload{std::move(p.path), blob, p.size, p.name + " (as " + blob + ")", true};
  }

  // The staged parts no part_ready or attachment_ready announced, as uploads; an announced
  // attachment must have the content the manifest records.
  std::vector<StagedUpload> unsent_parts(std::vector<LocalPart> parts, const Manifest& m) {
    std::map<std::string, std::string> hash_of;
    for (const auto& o : m.objects) hash_of[o.path] = o.blob_name();
    const std::string att_folder = prefix_ + "-attachments/";
    std::vector<StagedUpload> out;
    for (auto& p : parts) {
      if (p.name.rfind(att_folder, 0) != 0) {
        if (submitted_.insert(p.name).second) {
          ++submitted_files_;
          out.push_back({p.path, p.name, p.size, p.name});
        }
        continue;
      }
      std::string path = p.name.substr(att_folder.size());
      auto h = hash_of.find(path);
      if (h == hash_of.end())
        throw std::runtime_error("the attachment " + p.name + " is not in the manifest: the backup is not consistent");
      if (announced_.count(path)) continue;  // checked below
      if (auto up = plan_blob(h->second, std::move(p))) out.push_back(std::move(*up));
    }
    // Those sent while the backup ran (their staged copies may be gone by now).
    for (const auto& [path, hash] : announced_) {
      auto h = hash_of.find(path);
      if (h == hash_of.end() || h->second != hash)
        throw std::runtime_error("the attachment " + att_folder + path + " was sent with content " + hash +
                                 " but the manifest records " + (h == hash_of.end() ? "no such attachment" : h->second) +
                                 ": the backup is not consistent");
    }
    return out;
  }

  S3Repository& repo_;
  // Guards what is planned for upload (parts are announced from the main thread, attachments
  // from the download threads) and aborted_.
  std::mutex plan_mu_;
  std::optional<std::map<std::string, std::uint64_t>> stored_;  // hash -> size of the stored blobs, listed once
  std::set<std::string> scheduled_;  // blob hashes this run sends
  std::set<std::string> submitted_;  // names of the SQL parts queued
  std::map<std::string, std::string> announced_;  // attachment path -> hash, as it landed
  std::size_t submitted_files_ = 0;
  std::map<std::string, LocalPart> reused_;  // hash -> a local copy, should the blob vanish
  std::optional<std::map<std::string, std::uint64_t>> stored_blobs_;  // for needs_attachment_bytes
  std::size_t objects_ = 0, uploaded_ = 0;  // attachments in the manifest / blobs this run sent
  std::uint64_t objects_bytes_ = 0, uploaded_bytes_ = 0;
  bool show_progress_ = false;
  std::string prefix_, lock_key_;
  fs::path staging_;
  std::unique_ptr<LockHeartbeat> heartbeat_;
  S3UploadQueue uploads_;  // its workers read only their own copies, never the members above
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
