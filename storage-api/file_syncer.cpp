#include "storage-api/file_syncer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace crm::storage {

FileSyncer::FileSyncer(int threads, std::size_t max_pending) : max_pending_(std::max<std::size_t>(1, max_pending)) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { work(); });
}

FileSyncer::~FileSyncer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  has_work_.notify_all();
  for (auto& t : threads_) t.join();
}

void FileSyncer::start_writeback(int fd, std::uint64_t from, std::uint64_t len) {
#ifdef SYNC_FILE_RANGE_WRITE
  // Best effort: failures show up in the fdatasync that follows.
  ::sync_file_range(fd, static_cast<off_t>(from), static_cast<off_t>(len), SYNC_FILE_RANGE_WRITE);
#else
  (void)fd, (void)from, (void)len;
#endif
}

void FileSyncer::submit(int fd, std::filesystem::path path, Flush how) {
  if (how == Flush::kFileData) start_writeback(fd, 0, 0);
  std::unique_lock lock(mu_);
  has_room_.wait(lock, [this] { return queue_.size() < max_pending_; });
  queue_.push_back({fd, std::move(path), how});
  lock.unlock();
  has_work_.notify_one();
}

std::optional<std::pair<int, std::filesystem::path>> FileSyncer::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void FileSyncer::wait_all() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && busy_ == 0; });
  if (failure_)
    throw std::system_error(failure_->first, std::generic_category(),
                            "cannot flush " + failure_->second.string() + " to disk");
}

void FileSyncer::work() {
  std::unique_lock lock(mu_);
  for (;;) {
    // Pending files are flushed even when stopping: their descriptors must be closed.
    has_work_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    has_room_.notify_one();
    int err = 0;
    if ((item.how == Flush::kFileData ? ::fdatasync(item.fd) : ::fsync(item.fd)) != 0) err = errno;
    if (::close(item.fd) != 0 && err == 0 && errno != EINTR) err = errno;
    lock.lock();
    --busy_;
    if (err && !failure_) failure_.emplace(err, std::move(item.path));
    if (queue_.empty() && busy_ == 0) idle_.notify_all();
  }
}

}  // namespace crm::storage
