#include "engine/backup/sealed_attachments.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <exception>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "crypto/blob_name.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/io/encrypting_sink.hpp"
#include "engine/io/hash.hpp"
#include "engine/repo/folder_repository.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kReadBytes = 1 << 20;

template <typename Fn>
void read_file(const fs::path& path, Fn&& fn) {
  repo::FilePartReader in(path);
  std::string buf(kReadBytes, '\0');
  for (std::size_t n; (n = in.read(buf.data(), buf.size())) > 0;) fn(std::string_view(buf.data(), n));
}

// A new 0600 file that counts and hashes what is written; removed unless kept.
class UnsyncedFile final : public Sink {
 public:
  explicit UnsyncedFile(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path_.string());
  }
  ~UnsyncedFile() override {
    if (fd_ >= 0) ::close(fd_);
    if (!kept_) ::unlink(path_.c_str());
  }
  UnsyncedFile(const UnsyncedFile&) = delete;
  UnsyncedFile& operator=(const UnsyncedFile&) = delete;
  void write(std::string_view bytes) override {
    hash_.update(bytes);
    bytes_ += bytes.size();
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot write " + path_.string());
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Closes it and renames it to final_path.
  void keep_as(const fs::path& final_path) {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw std::system_error(errno, std::generic_category(), "cannot write " + path_.string());
    if (::rename(path_.c_str(), final_path.c_str()) != 0)
      throw std::system_error(errno, std::generic_category(), "cannot rename " + path_.string() + " to " + final_path.string());
    kept_ = true;
  }
  std::uint64_t bytes() const { return bytes_; }
  std::string hash_hex() const { return hash_.hex(); }

 private:
  fs::path path_;
  int fd_ = -1;
  bool kept_ = false;
  Xxh3Hasher hash_;
  std::uint64_t bytes_ = 0;
};

// claim(name): false when another job already writes that blob.
template <typename Claim>
void seal_one(SealJob& job, const crypto::DataKey& key, std::size_t index, Claim&& claim) {
  fs::path final_path = job.sealed;
  if (job.name_blob) {
    if (job.blob.empty()) job.blob = keyed_blob_name(job.plain, key);
    if (!claim(job.blob)) {
      job.duplicate = true;
      return;
    }
    job.binding = blob_binding(job.blob);
    final_path = job.sealed / job.blob;
  }
  // A short hidden name: the final one may already be as long as the filesystem allows.
  UnsyncedFile out(final_path.parent_path() / (".crm-seal-" + std::to_string(index)));
  EncryptingSink enc(out, key, job.binding);
  read_file(job.plain, [&](std::string_view bytes) { enc.write(bytes); });
  enc.finish();
  out.keep_as(final_path);
  job.stored_bytes = out.bytes();
  job.stored_xxh3_128 = out.hash_hex();
}

}  // namespace

std::string keyed_blob_name(const fs::path& file, const crypto::DataKey& key) {
  crypto::BlobNamer namer(key);
  read_file(file, [&](std::string_view bytes) { namer.update(bytes); });
  return namer.hex();
}

void seal_files(std::vector<SealJob>& jobs, const crypto::DataKey& key, unsigned threads) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first;
  std::mutex mu;
  std::set<std::string> claimed;
  auto claim = [&](const std::string& blob) {
    std::lock_guard lk(mu);
    return claimed.insert(blob).second;
  };
  auto work = [&] {
    for (std::size_t i; !failed && (i = next++) < jobs.size();) {
      try {
        seal_one(jobs[i], key, i, claim);
      } catch (...) {
        std::lock_guard lk(mu);
        if (!first) first = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

void sync_filesystem_of(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + dir.string());
  int rc = ::syncfs(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw std::system_error(err, std::generic_category(), "cannot flush " + dir.string() + " to disk");
}

}  // namespace crm::engine
