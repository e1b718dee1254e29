#include "engine/repo/s3_upload_queue.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/repo/folder_repository.hpp"

namespace crm::engine::repo {

namespace {
// Parts of one large file in flight at once (the budget permitting), as rclone's default
// upload concurrency: enough to keep a big data.sql from being the run's sequential tail.
constexpr int kPartsPerFile = 4;
}  // namespace

S3UploadQueue::S3UploadQueue(const s3::S3Config& cfg, int workers, std::string repo_display)
    : cfg_(cfg),
      workers_(std::max(1, workers)),
      repo_display_(std::move(repo_display)),
      budget_(static_cast<std::size_t>(workers_)) {
  cfg_.transfers = kPartsPerFile;
}

S3UploadQueue::~S3UploadQueue() { cancel(); }

void S3UploadQueue::rethrow_failure_locked() {
  if (failure_) std::rethrow_exception(failure_);
}

void S3UploadQueue::submit(StagedUpload u) {
  std::lock_guard lk(mu_);
  rethrow_failure_locked();
  if (closing_) throw std::logic_error("S3UploadQueue::submit after finish or cancel: " + u.name);
  submitted_bytes_ += u.size;
  waiting_.emplace(u.size, std::move(u));
  // Started with the first file: a reservation that never uploads starts no thread.
  if (threads_.empty())
    for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { work(); });
  wake_.notify_one();
}

void S3UploadQueue::report_to(Progress* progress) { progress_ = progress; }

std::uint64_t S3UploadQueue::bytes_submitted() const {
  std::lock_guard lk(mu_);
  return submitted_bytes_;
}

void S3UploadQueue::fail(std::exception_ptr e) {
  std::lock_guard lk(mu_);
  if (!failure_) failure_ = e;
  stop_ = true;  // the others stop too: the set cannot be completed
  waiting_.clear();
  wake_.notify_all();
}

void S3UploadQueue::work() {
  try {
    s3::Client client(cfg_);
    for (;;) {
      StagedUpload u;
      {
        std::unique_lock lk(mu_);
        wake_.wait(lk, [&] { return !waiting_.empty() || closing_ || stop_; });
        if (waiting_.empty() || stop_) return;
        auto it = waiting_.begin();
        u = std::move(it->second);
        waiting_.erase(it);
        ++busy_;
      }
      try {
        upload(client, u);
      } catch (...) {
        fail(std::current_exception());
      }
      std::lock_guard lk(mu_);
      --busy_;
      wake_.notify_all();
    }
  } catch (...) {  // the client could not be made
    fail(std::current_exception());
  }
}

void S3UploadQueue::upload(s3::Client& c, const StagedUpload& u) {
  try {
    FilePartReader reader(u.file);
    // Counted as read: upload_stream reads each byte once and resends its own buffer on a retry.
    auto put = c.upload_stream(
        c.key_for(u.name),
        [&](char* buf, std::size_t cap) {
          std::size_t n = reader.read(buf, cap);
          sent_bytes_ += n;
          if (Progress* p = progress_) p->add_bytes(n);
          return n;
        },
        u.size, {}, {.budget = &budget_, .stopped = [this] { return stop_.load(); }});
    if (Progress* p = progress_) p->add_files();
    if (put.size != u.size)
      throw std::runtime_error("uploaded " + std::to_string(put.size) + " bytes, the file has " +
                               std::to_string(u.size));
    if (u.remove_when_stored) {
      std::error_code ec;  // a file left behind goes with the staging folder
      std::filesystem::remove(u.file, ec);
    }
  } catch (const std::exception& e) {
    std::throw_with_nested(std::runtime_error("cannot upload " + u.label + " to " + repo_display_ + ": " + e.what()));
  }
}

void S3UploadQueue::finish() {
  {
    std::unique_lock lk(mu_);
    wake_.wait(lk, [&] { return (waiting_.empty() && busy_ == 0) || failure_; });
    closing_ = true;
    wake_.notify_all();
  }
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  std::lock_guard lk(mu_);
  rethrow_failure_locked();
}

void S3UploadQueue::cancel() noexcept {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
    closing_ = true;
    waiting_.clear();
    wake_.notify_all();
  }
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace crm::engine::repo
