#include "engine/backupset/staging.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "engine/backupset/folder_access.hpp"
#include "engine/backupset/set_name.hpp"
#include "engine/io/sink.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStagingSuffix = ".in-progress";
constexpr const char* kLockFile = "lock";

bool prefix_taken(const fs::path& dir, const std::string& prefix) {
  std::error_code ec;
  if (fs::exists(dir / staging_name(prefix), ec)) return true;
  for (const auto& e : list_folder(dir)) {
    std::string f = e.path().filename().string();
    if (f.size() > prefix.size() && f.compare(0, prefix.size(), prefix) == 0 && f[prefix.size()] == '-') return true;
  }
  return false;
}

void remove_path(const fs::path& p) noexcept {
  std::error_code ec;
  fs::remove_all(p, ec);
}

}  // namespace

std::string staging_name(const std::string& prefix) { return "." + prefix + std::string(kStagingSuffix); }

bool is_staging_name(std::string_view f, std::string* prefix_out) {
  if (f.size() <= 1 + kStagingSuffix.size() || f.front() != '.' ||
      f.substr(f.size() - kStagingSuffix.size()) != kStagingSuffix)
    return false;
  std::string_view prefix = f.substr(1, f.size() - 1 - kStagingSuffix.size());
  if (!parse_prefix(prefix)) return false;
  if (prefix_out) *prefix_out = std::string(prefix);
  return true;
}

bool staging_locked(const fs::path& staging_dir) {
  int fd = ::open((staging_dir / kLockFile).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // no lock file: the writer died before taking it
  bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return locked;
}

SetWriter::SetWriter(const fs::path& backup_dir, std::time_t now) : dir_(backup_dir) {
  for (int attempt = 0; attempt < 3600 && prefix_.empty(); ++attempt) {
    std::string candidate = make_prefix(now + attempt);
    if (!prefix_taken(dir_, candidate)) claim(candidate);
  }
  if (prefix_.empty()) throw std::runtime_error("no free backup prefix in the next hour in " + dir_.string());
  take_lock();
}

SetWriter::SetWriter(const fs::path& backup_dir, const std::string& exact_prefix) : dir_(backup_dir) {
  if (prefix_taken(dir_, exact_prefix) || !claim(exact_prefix))
    throw std::runtime_error(dir_.string() + " already has files of " + exact_prefix);
  take_lock();
}

bool SetWriter::claim(const std::string& candidate) {
  fs::path staging = dir_ / staging_name(candidate);
  if (::mkdir(staging.c_str(), 0700) != 0) {
    if (errno == EEXIST) return false;  // another backup took it this instant
    throw std::runtime_error("cannot create " + staging.string() + ": " + std::strerror(errno));
  }
  ::chmod(staging.c_str(), 0700);
  prefix_ = candidate;
  staging_ = staging;
  return true;
}

void SetWriter::take_lock() {
  lock_fd_ = ::open((staging_ / kLockFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    remove_path(staging_);
    throw std::runtime_error("cannot lock " + staging_.string() + ": " + std::strerror(e));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::write(lock_fd_, pid.data(), pid.size()) < 0) { /* informational only */ }
}

SetWriter::~SetWriter() {
  if (!finished_) abort();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

fs::path SetWriter::final_path(std::string_view part) const { return dir_ / (prefix_ + "-" + std::string(part)); }

void SetWriter::finish(const Manifest& manifest) {
  std::lock_guard lk(mu_);
  if (aborted_) throw std::runtime_error("the backup was interrupted");
  std::vector<fs::path> staged;
  for (const auto& e : fs::directory_iterator(staging_))
    if (e.path().filename() != kLockFile && e.path().filename().string().front() != '.') staged.push_back(e.path());
  for (const auto& src : staged) {
    fs::path dst = final_path(src.filename().string());
    if (::rename(src.c_str(), dst.c_str()) != 0)
      throw std::runtime_error("cannot move " + src.string() + " to " + dst.string() + ": " + std::strerror(errno));
    renamed_.push_back(dst);
  }
  fsync_directory(dir_);
  {
    AtomicFile mf(final_path("manifest.json"));
    mf.write(manifest_to_json(manifest));
    mf.commit();
  }
  finished_ = true;
  remove_path(staging_);
  fsync_directory(dir_);
}

void SetWriter::abort() noexcept {
  std::lock_guard lk(mu_);
  if (finished_ || aborted_) return;
  aborted_ = true;
  for (const auto& p : renamed_) remove_path(p);
  // The staging folder goes last: while it exists a crash here is still recognised.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(staging_, ec))
    if (e.path().filename() != kLockFile) remove_path(e.path());
  remove_path(staging_);
}

std::vector<std::string> clean_crashed_runs(const fs::path& backup_dir) {
  std::vector<std::string> removed;
  std::error_code ec;
  std::vector<fs::path> stagings;
  for (const auto& e : list_folder(backup_dir))
    if (is_staging_name(e.path().filename().string())) stagings.push_back(e.path());
  for (const auto& staging : stagings) {
    std::string prefix;
    is_staging_name(staging.filename().string(), &prefix);
    if (staging_locked(staging)) continue;  // a live backup
    bool complete = fs::exists(backup_dir / (prefix + "-manifest.json"));
    if (!complete) {
      std::vector<fs::path> parts;
      for (const auto& e : fs::directory_iterator(backup_dir, ec))
        if (e.path().filename().string().rfind(prefix + "-", 0) == 0) parts.push_back(e.path());
      for (const auto& p : parts) {
        remove_path(p);
        removed.push_back("removed " + p.filename().string() + " (left by an interrupted backup)");
      }
    }
    remove_path(staging);
    removed.push_back("removed " + staging.filename().string() + " (staging folder of an interrupted backup)");
  }
  // Temporary files of AtomicFile writers that died (".<name>.tmp-<pid>").
  std::vector<fs::path> temps;
  for (const auto& e : fs::directory_iterator(backup_dir, ec)) {
    std::string f = e.path().filename().string();
    auto tmp = f.find(".tmp-");
    if (f.size() < 2 || f[0] != '.' || tmp == std::string::npos) continue;
    auto part = parse_set_file_name(f.substr(1, tmp - 1));
    if (part && !staging_locked(backup_dir / staging_name(part->name.prefix))) temps.push_back(e.path());
  }
  for (const auto& p : temps) {
    remove_path(p);
    removed.push_back("removed " + p.filename().string() + " (temporary file of an interrupted backup)");
  }
  return removed;
}

void remove_set(const fs::path& backup_dir, const std::string& prefix) {
  fs::path manifest = backup_dir / (prefix + "-manifest.json");
  std::error_code ec;
  fs::remove(manifest, ec);
  if (ec) throw std::runtime_error("cannot remove " + manifest.string() + ": " + ec.message());
  fsync_directory(backup_dir);
  std::vector<fs::path> parts;
  for (const auto& e : fs::directory_iterator(backup_dir, ec))
    if (e.path().filename().string().rfind(prefix + "-", 0) == 0) parts.push_back(e.path());
  for (const auto& p : parts) {
    std::error_code ec2;
    fs::remove_all(p, ec2);
    if (ec2) throw std::runtime_error("cannot remove " + p.string() + ": " + ec2.message());
  }
}

}  // namespace crm::engine
