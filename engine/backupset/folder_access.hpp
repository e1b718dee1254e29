#pragma once
// A backup folder the running user cannot read must never look empty (cron running as the
// wrong user would then report "no backups" and prune nothing): listing it fails with an
// error that keeps the errno and says whose folder it is and who asked.
#include <filesystem>
#include <string>
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

// headline + " (Permission denied); it belongs to root (uid 0) with mode 0700, and this
// command runs as nobody (uid 65534)." and what to do. headline says what failed, in the old
// scripts' words where they had some ("Backup directory is not writable: /x"). When folder
// itself cannot be examined, the nearest ancestor that can is named instead.
FolderAccessError folder_access_error(const std::filesystem::path& folder, int err, const std::string& headline);

// The entries of folder (not recursive). Throws FolderAccessError ("Cannot read the backup
// directory ...") instead of returning an empty list when the folder cannot be read.
std::vector<std::filesystem::directory_entry> list_folder(const std::filesystem::path& folder);

}  // namespace crm::engine
