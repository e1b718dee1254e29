#include "engine/attachments/offloaded_transform.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <string_view>

namespace crm::engine {

struct TransformWorkers::Stream {
  std::unique_ptr<storage::BodyTransform> inner;
  std::size_t worker = 0;
  std::size_t queued = 0;       // tasks handed over and not yet done (under mu_)
  std::exception_ptr failure;   // the first error of inner's write() (under mu_)
};

struct TransformWorkers::Task {
  std::shared_ptr<Stream> stream;
  std::string bytes;
};

// Collects the loop's small pieces (curl hands over 16 KiB at a time) into batches, so a
// worker is woken per batch, not per piece.
class OffloadedTransform final : public storage::BodyTransform {
 public:
  static constexpr std::size_t kBatchBytes = 256 * 1024;

  OffloadedTransform(TransformWorkers& workers, std::shared_ptr<TransformWorkers::Stream> stream)
      : workers_(workers), stream_(std::move(stream)) {}
  ~OffloadedTransform() override {
    // A worker may still write through inner (into the download's file): wait for it, so a
    // retry's new file or the closed descriptor is never written by an old attempt.
    workers_.wait_idle(*stream_);
  }

  void write(std::string_view received) override {
    batch_.append(received);
    if (batch_.size() >= kBatchBytes) hand_over();
  }

  void finish() override {
    if (!batch_.empty()) hand_over();
    workers_.wait_idle(*stream_);
    rethrow_failure();
    stream_->inner->finish();
  }

 private:
  void hand_over() {
    rethrow_failure();
    std::string bytes;
    bytes.reserve(kBatchBytes + 16 * 1024);
    bytes.swap(batch_);
    workers_.enqueue(stream_, std::move(bytes));
  }
  void rethrow_failure() {
    std::exception_ptr failure;
    {
      std::lock_guard<std::mutex> lock(workers_.mu_);
      failure = stream_->failure;
    }
    if (failure) std::rethrow_exception(failure);
  }

  TransformWorkers& workers_;
  std::shared_ptr<TransformWorkers::Stream> stream_;
  std::string batch_;
};

TransformWorkers::TransformWorkers(std::size_t threads, std::size_t max_waiting_bytes)
    : max_waiting_bytes_(max_waiting_bytes) {
  if (threads == 0) {
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    threads = std::clamp<std::size_t>(cores - 1, 1, 4);
  }
  queues_.resize(threads);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

TransformWorkers::~TransformWorkers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& t : threads_) t.join();
}

std::unique_ptr<storage::BodyTransform> TransformWorkers::offload(std::unique_ptr<storage::BodyTransform> inner) {
  auto stream = std::make_shared<Stream>();
  stream->inner = std::move(inner);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream->worker = next_worker_++ % queues_.size();
  }
  return std::make_unique<OffloadedTransform>(*this, std::move(stream));
}

void TransformWorkers::enqueue(const std::shared_ptr<Stream>& stream, std::string bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  // Bounded: the loop waits here while the workers are behind (one batch always fits, so a
  // batch larger than the bound cannot wait forever).
  progress_.wait(lock, [&] { return waiting_bytes_ == 0 || waiting_bytes_ + bytes.size() <= max_waiting_bytes_; });
  waiting_bytes_ += bytes.size();
  ++stream->queued;
  queues_[stream->worker].push_back(Task{stream, std::move(bytes)});
  lock.unlock();
  work_ready_.notify_all();
}

void TransformWorkers::wait_idle(Stream& stream) {
  std::unique_lock<std::mutex> lock(mu_);
  progress_.wait(lock, [&] { return stream.queued == 0; });
}

void TransformWorkers::run(std::size_t worker) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_ready_.wait(lock, [&] { return stopping_ || !queues_[worker].empty(); });
    if (queues_[worker].empty()) return;  // stopping, and nothing left to do
    Task task = std::move(queues_[worker].front());
    queues_[worker].pop_front();
    const bool skip = static_cast<bool>(task.stream->failure);
    lock.unlock();
    std::exception_ptr failure;
    if (!skip) {
      try {
        task.stream->inner->write(task.bytes);
      } catch (...) {
        failure = std::current_exception();
      }
    }
    lock.lock();
    if (failure && !task.stream->failure) task.stream->failure = failure;
    waiting_bytes_ -= task.bytes.size();
    --task.stream->queued;
    progress_.notify_all();
  }
}

}  // namespace crm::engine
