#pragma once
// Sends a set's staged files to S3 in the background while the backup goes on: each file is
// queued as soon as it is final in staging, the largest waiting file goes first (a big part
// started late would be the run's tail), a few workers with a client each send them, and a
// large file's multipart parts go several at once within one shared part budget. The first
// failure stops the queue; it is rethrown, naming the object, by the next submit or by finish.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/io/progress.hpp"
#include "s3/client.hpp"

namespace crm::engine::repo {

struct StagedUpload {
  std::filesystem::path file;
  std::string name;  // the object's name below the repository root
  std::uint64_t size = 0;
  std::string label;  // what errors call it: the name, or the attachment a blob holds
  bool remove_when_stored = false;  // the local file is needed no more once the object is stored
};

class S3UploadQueue {
 public:
  // `workers` files at once; `repo_display` names the repository in errors. Memory: each worker
  // holds up to two parts of its file, plus `workers` parts of the shared budget.
  S3UploadQueue(const s3::S3Config& cfg, int workers, std::string repo_display);
  ~S3UploadQueue();  // cancel()
  S3UploadQueue(const S3UploadQueue&) = delete;
  S3UploadQueue& operator=(const S3UploadQueue&) = delete;

  // Queues the file (it must not change any more). Throws the first failure so far.
  void submit(StagedUpload u);
  // Bytes and files sent from now on are counted there (it must outlive finish or cancel).
  void report_to(Progress* progress);
  std::uint64_t bytes_sent() const { return sent_bytes_; }
  std::uint64_t bytes_submitted() const;
  // Waits until every queued file is stored; throws the first failure.
  void finish();
  // Drops what waits, stops what is in flight (a multipart upload is aborted as it stops) and
  // waits for the workers: afterwards no request of this queue is still running.
  void cancel() noexcept;

 private:
  void work();
  void fail(std::exception_ptr e);
  void upload(s3::Client& client, const StagedUpload& u);
  void rethrow_failure_locked();

  s3::S3Config cfg_;
  int workers_;
  std::string repo_display_;
  s3::PartBudget budget_;

  mutable std::mutex mu_;
  std::condition_variable wake_;  // workers: work queued or closing; finish: the last one done
  std::multimap<std::uint64_t, StagedUpload, std::greater<>> waiting_;  // largest first
  std::size_t busy_ = 0;
  bool closing_ = false;
  std::uint64_t submitted_bytes_ = 0;
  std::exception_ptr failure_;
  std::vector<std::thread> threads_;

  std::atomic<bool> stop_{false};  // read by the byte sources of the uploads in flight
  std::atomic<Progress*> progress_{nullptr};
  std::atomic<std::uint64_t> sent_bytes_{0};
};

}  // namespace crm::engine::repo
