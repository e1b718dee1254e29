// FolderRepository's key file: <dir>/crmbackup-key.json, 0600, created without ever replacing
// one (link(2) of a finished temporary file fails when the name exists) and replaced by rename.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "engine/io/sink.hpp"
#include "engine/repo/folder_repository.hpp"

namespace crm::engine::repo {
namespace fs = std::filesystem;

std::optional<std::string> FolderRepository::read_key_file() {
  fs::path path = dir_ / std::string(kKeyFileName);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw std::system_error(errno, std::generic_category(), "cannot read the key file " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool FolderRepository::create_key_file(const std::string& json) {
  fs::path path = dir_ / std::string(kKeyFileName);
  fs::path temp = dir_ / (".crmbackup-key.json." + std::to_string(::getpid()) + ".new");
  {
    // A finished, synced file first: a crash never leaves a half-written key file in place.
    AtomicFile f(temp);
    f.write(json);
    f.commit();
  }
  int rc = ::link(temp.c_str(), path.c_str());
  int err = errno;
  std::error_code ec;
  fs::remove(temp, ec);
  if (rc == 0) {
    fsync_directory(dir_);
    return true;
  }
  if (err == EEXIST) return false;
  throw std::system_error(err, std::generic_category(), "cannot create the key file " + path.string());
}

void FolderRepository::replace_key_file(const std::string& json) {
  AtomicFile f(dir_ / std::string(kKeyFileName));
  f.write(json);
  f.commit();
}

}  // namespace crm::engine::repo
