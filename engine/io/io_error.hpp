#pragma once
// Errors of local files and folders: a std::system_error carrying the real errno (so a full
// disk, a permission problem and a broken disk stay apart for the exit message and the JSON
// error code) whose message names the path and, for a full disk, says what to do.
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace crm::engine {

class IoError : public std::system_error {
 public:
  IoError(int err, std::string message)
      : std::system_error(err, std::generic_category()), message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

bool is_disk_full(int err);  // ENOSPC, EDQUOT
bool is_disk_full(const std::system_error& e);

// "<what> <path>: <strerror>", plus " (the disk is full: free space or choose another <where>)"
// for a full disk.
IoError io_error(std::string_view what, const std::filesystem::path& p, int err,
                 std::string_view where = "BACKUP_DIR");
// An error raised below the engine (the storage layer's downloads) with the full-disk hint.
IoError with_disk_full_hint(const std::system_error& e, std::string_view where = "BACKUP_DIR");

}  // namespace crm::engine
