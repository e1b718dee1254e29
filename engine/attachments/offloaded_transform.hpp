#pragma once
// Body transforms (encrypting an attachment, naming its blob) run on worker threads, not on
// the transfer loop's. On the loop thread every moment spent encrypting is a moment no socket
// is served, so a cipher at ~1 GB/s capped all downloads at its pace and added its whole cost
// to the backup's time. A download's bytes stay in order (one transform's work always goes to
// the same worker, first in, first out); the bytes waiting are bounded, so memory does not
// grow when the network is faster than the cipher or the disk.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage-api/body_transform.hpp"

namespace crm::engine {

class TransformWorkers {
 public:
  // threads: 0 picks one less than the machine's cores (at least 1, at most 4), leaving a core
  // to the transfer loop.
  explicit TransformWorkers(std::size_t threads = 0, std::size_t max_waiting_bytes = std::size_t{32} << 20);
  ~TransformWorkers();
  TransformWorkers(const TransformWorkers&) = delete;
  TransformWorkers& operator=(const TransformWorkers&) = delete;

  // inner's write() runs on a worker; finish() waits for the bytes handed over so far, then
  // finishes inner on the calling thread. An error of inner's write() comes back from the
  // next write() or from finish(), as it was thrown (a std::system_error keeps its errno).
  std::unique_ptr<storage::BodyTransform> offload(std::unique_ptr<storage::BodyTransform> inner);

  struct Stream;  // one offloaded transform's state, shared with the tasks it queued
  struct Task;

 private:
  friend class OffloadedTransform;
  void enqueue(const std::shared_ptr<Stream>& stream, std::string bytes);
  void wait_idle(Stream& stream);
  void run(std::size_t worker);

  std::mutex mu_;
  std::condition_variable work_ready_;
  std::condition_variable progress_;  // a task ended: room in the queue, or a stream went idle
  std::vector<std::deque<Task>> queues_;
  std::size_t waiting_bytes_ = 0;
  const std::size_t max_waiting_bytes_;
  std::size_t next_worker_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace crm::engine
