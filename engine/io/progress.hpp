#pragma once
// Progress of long work (bytes, files, rate, ETA): a live single line on a terminal, plain
// lines every ~10 s otherwise (logs, cron). Counters are atomics: any thread may add.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace crm::engine {

struct ProgressOptions {
  std::string label = "progress";
  int fd = 2;               // standard error
  int terminal = -1;        // -1: isatty(fd); 0: plain lines; 1: live line
  std::chrono::milliseconds live_interval{250};
  std::chrono::milliseconds plain_interval{10000};
  bool enabled = true;      // false: count only, print nothing
};

class Progress {
 public:
  Progress(ProgressOptions opts, std::uint64_t total_bytes, std::uint64_t total_files);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add_bytes(std::uint64_t n) { bytes_.fetch_add(n, std::memory_order_relaxed); }
  // Bytes counted by add_bytes that will be moved again (a retried transfer).
  void take_back_bytes(std::uint64_t n) { bytes_.fetch_sub(n, std::memory_order_relaxed); }
  void add_files(std::uint64_t n = 1) { files_.fetch_add(n, std::memory_order_relaxed); }
  void set_totals(std::uint64_t total_bytes, std::uint64_t total_files);
  // Prints the last line (and ends the live one); idempotent.
  void finish();

  std::uint64_t bytes() const { return bytes_.load(); }
  std::uint64_t files() const { return files_.load(); }
  // "attachments: 1,204/3,000 files, 1.20 GiB/2.00 GiB, 85.30 MiB/s, ETA 0:12"
  std::string render() const;

  static std::string format_bytes(std::uint64_t n);
  static std::string format_duration(double seconds);

 private:
  void loop();
  void emit(bool final);

  ProgressOptions opts_;
  bool live_ = false;
  std::atomic<std::uint64_t> bytes_{0}, files_{0};
  std::atomic<std::uint64_t> total_bytes_, total_files_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace crm::engine
