#include "crypto/passphrase_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace crm::crypto {
namespace {

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

void drop_trailing_newline(SecureBytes& bytes) {
  std::size_t n = bytes.size();
  if (n && bytes.data()[n - 1] == '\n') --n;
  if (n && bytes.data()[n - 1] == '\r') --n;
  bytes.truncate(n);
}

}  // namespace

EnvLookup process_environment() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

Passphrase read_passphrase_file(const std::string& path, const std::string& origin) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw PassphraseError(fmt::format("cannot open the passphrase file {} ({}): {}", path, origin, std::strerror(errno)));
  }
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw PassphraseError(fmt::format("cannot stat the passphrase file {} ({}): {}", path, origin, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) throw PassphraseError(fmt::format("the passphrase file {} ({}) is not a regular file", path, origin));
  if (st.st_mode & 077) {
    throw PassphraseError(fmt::format(
        "the passphrase file {} ({}) is accessible by group or others (mode {:04o}); it is refused: run chmod 600 {}",
        path, origin, st.st_mode & 07777, path));
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    throw PassphraseError(fmt::format(
        "the passphrase file {} ({}) belongs to another user (uid {}); it is refused: use a file of your own with mode 600",
        path, origin, st.st_uid));
  }
  // Read into locked memory directly, one byte more than allowed to detect an oversized file.
  SecureBytes buf(kMaxPassphraseBytes + 1);
  std::size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw PassphraseError(fmt::format("cannot read the passphrase file {} ({}): {}", path, origin, std::strerror(errno)));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > kMaxPassphraseBytes) {
    throw PassphraseError(fmt::format("the passphrase file {} ({}) is longer than {} bytes: is it the right file?", path,
                                      origin, kMaxPassphraseBytes));
  }
  buf.truncate(got);
  drop_trailing_newline(buf);
  if (buf.empty()) throw PassphraseError(fmt::format("the passphrase file {} ({}) is empty", path, origin));
  return Passphrase(SecureBytes(buf.data(), buf.size()));
}

std::optional<Passphrase> resolve_passphrase(const std::optional<std::string>& passphrase_file_flag,
                                             const EnvLookup& env) {
  if (passphrase_file_flag) {
    if (passphrase_file_flag->empty()) throw PassphraseError("--passphrase-file needs a file name");
    return read_passphrase_file(*passphrase_file_flag, "--passphrase-file");
  }
  if (const char* file = env(kPassphraseFileEnv)) {
    if (!*file) throw PassphraseError(fmt::format("{} is set but empty: unset it or name a file", kPassphraseFileEnv));
    return read_passphrase_file(file, kPassphraseFileEnv);
  }
  if (const char* text = env(kPassphraseEnv)) {
    if (!*text) throw PassphraseError(fmt::format("{} is set but empty: unset it or set a passphrase", kPassphraseEnv));
    return Passphrase(SecureBytes(reinterpret_cast<const unsigned char*>(text), std::strlen(text)));
  }
  return std::nullopt;
}

}  // namespace crm::crypto
