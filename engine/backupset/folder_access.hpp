#pragma once
// A backup folder the running user cannot read must never look empty (cron running as the
// wrong user would then report "no backups" and prune nothing): listing it fails with an
// error that keeps the errno and says whose folder it is and who asked.
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace crm::engine {

// A std::system_error carrying the real errno (EACCES, EPERM, ...) whose what() is the whole
// sentence, without the "<msg>: Permission denied" suffix tacked on a second time.
class FolderAccessError : public std::system_error {
 public:
  FolderAccessError(int err, std::string message, std::filesystem::path folder);
  const char* what() const noexcept override { return message_.c_str(); }
  const std::filesystem::path& folder() const noexcept { return folder_; }

 private:
  std::string message_;
  std::filesystem::path folder_;
};

// "cannot read the backup folder /srv/b: permission denied; it belongs to root (uid 0, mode
// 0700) and this command runs as nobody (uid 65534)..." doing is what was attempted
// ("read", "write in"). When folder itself cannot be examined, its nearest ancestor that can
// is named instead.
FolderAccessError folder_access_error(const std::filesystem::path& folder, int err, std::string_view doing);

// The entries of folder (not recursive). Throws FolderAccessError instead of returning an
// empty list when the folder cannot be opened or read.
std::vector<std::filesystem::directory_entry> list_folder(const std::filesystem::path& folder);

}  // namespace crm::engine
