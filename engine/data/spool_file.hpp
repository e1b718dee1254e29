#pragma once
// An anonymous temporary file for a COPY stream that is not yet the output's turn: created
// unlinked (O_TMPFILE, or created and removed at once) so a crash leaves nothing behind, and
// its blocks are dropped from the page cache without ever being written back when it is
// closed soon after.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

namespace crm::engine {

class SpoolFile {
 public:
  explicit SpoolFile(const std::filesystem::path& dir);
  ~SpoolFile();
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  // Appends; throws std::runtime_error with errno text (ENOSPC says the disk is full).
  void append(std::string_view bytes);
  std::uint64_t size() const { return size_; }
  // Reads [0, limit) back in large pieces and hands each to fn.
  void replay(std::uint64_t limit, const std::function<void(std::string_view)>& fn) const;

 private:
  std::filesystem::path dir_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace crm::engine
