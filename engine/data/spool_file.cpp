#include "engine/data/spool_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/io/io_error.hpp"

namespace crm::engine {
namespace {

[[noreturn]] void spool_error(const std::string& what, const std::filesystem::path& dir, int err) {
  throw io_error(what + " in", dir, err, "output folder");
}

}  // namespace

SpoolFile::SpoolFile(const std::filesystem::path& dir) : dir_(dir) {
#ifdef O_TMPFILE
  fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd_ < 0) {
    // Filesystems without O_TMPFILE: a named file removed at once.
    std::string tmpl = (dir / ".crm-spool-XXXXXX").string();
    fd_ = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd_ < 0) spool_error("cannot create a spool file", dir, errno);
    ::unlink(tmpl.c_str());
  }
}

SpoolFile::~SpoolFile() {
  if (fd_ >= 0) ::close(fd_);
}

void SpoolFile::append(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) spool_error("cannot write a spool file", dir_, errno);
    size_ += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void SpoolFile::replay(std::uint64_t limit, const std::function<void(std::string_view)>& fn) const {
  constexpr size_t kPiece = 4 << 20;
  std::unique_ptr<char[]> buf(new char[kPiece]);
  std::uint64_t off = 0;
  while (off < limit) {
    size_t want = static_cast<size_t>(std::min<std::uint64_t>(kPiece, limit - off));
    ssize_t n = ::pread(fd_, buf.get(), want, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) spool_error("cannot read a spool file", dir_, errno);
    if (n == 0) throw std::runtime_error("spool file in " + dir_.string() + " is shorter than written");
    fn(std::string_view(buf.get(), static_cast<size_t>(n)));
    off += static_cast<std::uint64_t>(n);
  }
}

}  // namespace crm::engine
