#include "engine/backupset/folder_access.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

std::string user_name(uid_t uid) {
  struct passwd pw{};
  struct passwd* found = nullptr;
  char buf[1024];
  std::string id = "uid " + std::to_string(uid);
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return std::string(found->pw_name) + " (" + id + ")";
  return id;
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

bool is_permission(int err) { return err == EACCES || err == EPERM; }

}  // namespace

FolderAccessError::FolderAccessError(int err, std::string message, fs::path folder)
    : std::system_error(err, std::generic_category(), message), message_(std::move(message)), folder_(std::move(folder)) {}

FolderAccessError folder_access_error(const fs::path& folder, int err, const std::string& headline) {
  std::string msg = headline + " (" + std::strerror(err) + ")";
  if (is_permission(err)) {
    // The folder itself, or else the closest ancestor that can be examined (the one in the way).
    fs::path probe = folder;
    struct stat st{};
    while (::stat(probe.c_str(), &st) != 0 && probe.has_relative_path()) probe = probe.parent_path();
    std::string whose = probe == folder ? "it" : "the folder " + probe.string() + " on its way";
    msg += "; " + whose + " belongs to " + user_name(st.st_uid) + " with mode " + mode_text(st.st_mode) +
           ", and this command runs as " + user_name(::geteuid()) +
           ".\n  Run the command as the folder's owner, or give this user access (e.g. chown or chmod the folder).";
  }
  return FolderAccessError(err, std::move(msg), folder);
}

std::vector<fs::directory_entry> list_folder(const fs::path& folder) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) throw folder_access_error(folder, ec.value(), "Cannot read the backup directory " + folder.string());
  for (fs::directory_iterator end; !ec && it != end; it.increment(ec)) out.push_back(*it);
  if (ec) throw folder_access_error(folder, ec.value(), "Cannot read the backup directory " + folder.string());
  return out;
}

}  // namespace crm::engine
