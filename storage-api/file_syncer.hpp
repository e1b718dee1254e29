#pragma once
// Makes downloaded files durable while the transfers go on, instead of one long flush at the
// end: a finished file's writeback is started at once (sync_file_range) and a few threads
// fdatasync and close it in the background. At most max_pending files wait; submit() blocks
// beyond that, so a disk slower than the network slows the transfers down instead of piling
// up open descriptors and dirty pages.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace crm::storage {

class FileSyncer {
 public:
  // fdatasync for a finished file (its writeback started at once); fsync for a folder, whose
  // entries are what must last.
  enum class Flush { kFileData, kFolder };

  // Several threads: concurrent flushes share journal commits and disk cache flushes.
  explicit FileSyncer(int threads = 8, std::size_t max_pending = 256);
  // Waits for the pending files (closing every descriptor), whatever happened.
  ~FileSyncer();
  FileSyncer(const FileSyncer&) = delete;
  FileSyncer& operator=(const FileSyncer&) = delete;

  // Takes ownership of fd (a complete file open for writing, or a folder); path names it in errors.
  void submit(int fd, std::filesystem::path path, Flush how = Flush::kFileData);
  // The first file that could not be flushed so far: errno and path.
  std::optional<std::pair<int, std::filesystem::path>> failure() const;
  // Returns once every submitted file is on disk; throws std::system_error (the real errno,
  // naming the file) when one could not be flushed.
  void wait_all();

  // Starts writing back [from, from+len) of fd without waiting (len 0: to the end of the file).
  static void start_writeback(int fd, std::uint64_t from, std::uint64_t len);

 private:
  void work();

  std::size_t max_pending_;
  mutable std::mutex mu_;
  std::condition_variable has_work_, has_room_, idle_;
  struct Item {
    int fd;
    std::filesystem::path path;
    Flush how;
  };
  std::deque<Item> queue_;
  std::size_t busy_ = 0;
  bool stop_ = false;
  std::optional<std::pair<int, std::filesystem::path>> failure_;
  std::vector<std::thread> threads_;
};

}  // namespace crm::storage
