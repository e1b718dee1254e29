#include "engine/attachments/incremental.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>
#include <vector>

#include "engine/backupset/backup_dir.hpp"
#include "engine/io/hash.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

// Copies src to dest (0600) in the kernel; false on any error (dest removed).
bool copy_locally(const fs::path& src, const fs::path& dest) {
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  int out = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    ::close(in);
    return false;
  }
  bool ok = true;
  for (;;) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
  }
  ok = ok && ::fsync(out) == 0;
  ::close(in);
  ok = ::close(out) == 0 && ok;
  if (!ok) ::unlink(dest.c_str());
  return ok;
}

}  // namespace

PreviousSetReuse::PreviousSetReuse(const fs::path& backup_dir, const std::string& exclude_prefix) {
  for (const auto& s : scan_backup_dir(backup_dir)) {  // newest first
    if (s.name.prefix == exclude_prefix || s.state != SetState::Complete || !s.manifest ||
        !s.manifest->attachments_included || s.part("attachments").empty())
      continue;
    previous_dir_ = s.part("attachments");
    from_prefix_ = s.name.prefix;
    for (const auto& o : s.manifest->objects) previous_[o.path] = o;
    break;
  }
}

PreviousSetReuse::~PreviousSetReuse() {
  stop_ = true;
  if (hasher_.joinable()) hasher_.join();
}

void PreviousSetReuse::start_hashing() {
  if (!active() || hashed_ || hasher_.joinable()) return;
  hasher_ = std::thread([this] {
    try {
      hash_previous_files();
    } catch (...) {
      on_disk_hash_.clear();  // no thread for the workers: every file is downloaded afresh
      hashed_ = true;
    }
  });
}

void PreviousSetReuse::wait_for_hashes() {
  if (hasher_.joinable()) hasher_.join();
  else if (!hashed_) hash_previous_files();
}

void PreviousSetReuse::hash_previous_files() {
  hashed_ = true;
  std::vector<const ManifestObject*> todo;
  for (const auto& [path, o] : previous_) todo.push_back(&o);
  std::vector<std::string> hashes(todo.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; !stop_ && (i = next.fetch_add(1)) < todo.size();) {
      try {
        std::uint64_t size = 0;
        std::string h = xxh3_128_file(previous_dir_ / todo[i]->path, &size);
        hashes[i] = size == todo[i]->size ? h : std::string();
      } catch (const std::exception&) {
        hashes[i].clear();  // unreadable: downloaded afresh
      }
    }
  };
  unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < n; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  for (size_t i = 0; i < todo.size(); ++i) on_disk_hash_[todo[i]->path] = std::move(hashes[i]);
}

std::optional<ObjectRecord> PreviousSetReuse::reuse(const storage::ObjectEntry& listed, const fs::path& dest) {
  auto it = previous_.find(listed.name);
  if (it == previous_.end()) return std::nullopt;
  const ManifestObject& prev = it->second;
  if (prev.size != listed.size || prev.etag != listed.etag || prev.last_modified != listed.last_modified) {
    ++stats_.changed;
    return std::nullopt;
  }
  fs::path src = previous_dir_ / prev.path;
  wait_for_hashes();
  if (on_disk_hash_[prev.path] != prev.xxh3_128) {
    ++stats_.corrupt;  // damaged on disk: fetch it afresh rather than spread the damage
    return std::nullopt;
  }
  std::string how;
  if (::link(src.c_str(), dest.c_str()) == 0) {
    how = "linked";
    ++stats_.linked;
  } else if (copy_locally(src, dest)) {
    how = "copied";
    ++stats_.copied;
  } else {
    return std::nullopt;  // last resort: download it
  }
  sources_[listed.name] = how;
  stats_.bytes += prev.size;
  ObjectRecord r = object_record(prev);
  r.downloaded = false;
  return r;
}

std::string PreviousSetReuse::source_of(const std::string& path) const {
  auto it = sources_.find(path);
  return it == sources_.end() ? "downloaded" : it->second;
}

}  // namespace crm::engine
