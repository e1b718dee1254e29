#include "engine/io/sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "engine/io/io_error.hpp"

namespace crm::engine {
namespace {

constexpr size_t kBufferBytes = 1 << 20;

void write_all(int fd, std::string_view bytes, const std::filesystem::path& name) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw io_error("cannot write", name, errno);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void FdSink::write(std::string_view bytes) { write_all(fd_, bytes, name_); }

AtomicFile::AtomicFile(std::filesystem::path final_path) : final_(std::move(final_path)) {
  temp_ = final_.parent_path() / ("." + final_.filename().string() + ".tmp-" + std::to_string(::getpid()));
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) throw io_error("cannot create", temp_, errno);
  ::fchmod(fd_, 0600);  // whatever the umask
  buffer_.reserve(kBufferBytes);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::flush_buffer() {
  write_all(fd_, buffer_, temp_);
  on_disk_ += buffer_.size();
  buffer_.clear();
  start_writeback();
}

// Starts writing dirty pages back while the file is still being produced, so commit()'s fsync
// does not have to push gigabytes at the end (and the page cache does not fill with them).
void AtomicFile::start_writeback() {
#ifdef SYNC_FILE_RANGE_WRITE
  constexpr std::uint64_t kWritebackBytes = 32ull << 20;
  if (on_disk_ - writeback_from_ < kWritebackBytes) return;
  ::sync_file_range(fd_, static_cast<off_t>(writeback_from_), static_cast<off_t>(on_disk_ - writeback_from_),
                    SYNC_FILE_RANGE_WRITE);
  writeback_from_ = on_disk_;
#endif
}

void AtomicFile::write(std::string_view bytes) {
  if (committed_) throw std::logic_error("write after commit to " + final_.string());
  hasher_.update(bytes);
  bytes_ += bytes.size();
  if (buffer_.size() + bytes.size() > kBufferBytes) flush_buffer();
  if (bytes.size() >= kBufferBytes) {
    write_all(fd_, bytes, temp_);
    on_disk_ += bytes.size();
    start_writeback();
  } else {
    buffer_.append(bytes);
  }
}

void AtomicFile::commit() {
  flush_buffer();
  if (::fsync(fd_) != 0) throw io_error("cannot fsync", temp_, errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw io_error("cannot close", temp_, errno);
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), final_.c_str()) != 0) throw io_error("cannot rename into place", final_, errno);
  committed_ = true;
  fsync_directory(final_.parent_path());
}

ZstdSink::ZstdSink(Sink& downstream, int level) : out_(downstream), cctx_(ZSTD_createCCtx()) {
  if (!cctx_) throw std::bad_alloc();
  ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(cctx_), ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(cctx_), ZSTD_c_checksumFlag, 1);
  outbuf_.resize(ZSTD_CStreamOutSize());
}

ZstdSink::~ZstdSink() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_)); }

void ZstdSink::pump(std::string_view bytes, bool end) {
  auto* cctx = static_cast<ZSTD_CCtx*>(cctx_);
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  for (;;) {
    ZSTD_outBuffer out{outbuf_.data(), outbuf_.size(), 0};
    size_t rem = ZSTD_compressStream2(cctx, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
    if (ZSTD_isError(rem)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(rem));
    if (out.pos) out_.write(std::string_view(outbuf_.data(), out.pos));
    if (end ? rem == 0 : in.pos == in.size) break;
  }
}

void ZstdSink::write(std::string_view bytes) {
  if (finished_) throw std::logic_error("zstd write after finish");
  pump(bytes, false);
}

void ZstdSink::finish() {
  if (finished_) return;
  pump({}, true);
  finished_ = true;
}

void fsync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw io_error("cannot open folder", dir, errno);
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    throw io_error("cannot flush folder", dir, err);
  }
  ::close(fd);
}

void create_private_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path cur;
  for (const auto& part : dir) {
    cur /= part;
    if (std::filesystem::exists(cur, ec)) continue;
    if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) throw io_error("cannot create folder", cur, errno);
    ::chmod(cur.c_str(), 0700);
  }
  if (!std::filesystem::is_directory(dir, ec)) throw std::runtime_error(dir.string() + " is not a folder");
}

}  // namespace crm::engine
