#include "engine/repo/folder_repository.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "engine/backupset/staging.hpp"

namespace crm::engine::repo {
namespace fs = std::filesystem;

namespace {

class FolderReservation final : public SetReservation {
 public:
  FolderReservation(const fs::path& dir, std::time_t now) : writer_(dir, now) {}
  FolderReservation(const fs::path& dir, const std::string& prefix) : writer_(dir, prefix) {}
  const std::string& prefix() const override { return writer_.prefix(); }
  const fs::path& staging_dir() const override { return writer_.staging_dir(); }
  std::string final_location(std::string_view part) const override { return writer_.final_path(part).string(); }
  void commit(const Manifest& manifest) override { writer_.finish(manifest); }
  void abort() noexcept override { writer_.abort(); }
  void abort_local() noexcept override { writer_.abort(); }

 private:
  SetWriter writer_;
};

class FolderLocalSet final : public LocalSet {
 public:
  explicit FolderLocalSet(SetInfo set) : set_(std::move(set)) {}
  const SetInfo& set() const override { return set_; }

 private:
  SetInfo set_;
};

}  // namespace

FilePartReader::FilePartReader(const fs::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
}

FilePartReader::~FilePartReader() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t FilePartReader::read(char* buf, std::size_t cap) {
  for (;;) {
    ssize_t n = ::read(fd_, buf, cap);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "cannot read " + path_.string());
  }
}

std::vector<SetInfo> FolderRepository::list_sets() { return scan_backup_dir(dir_); }

SetInfo FolderRepository::find_set(const std::string& prefix_or_path) { return engine::find_set(dir_, prefix_or_path); }

std::vector<std::string> FolderRepository::clean_crashed_runs() { return engine::clean_crashed_runs(dir_); }

std::unique_ptr<SetReservation> FolderRepository::reserve(std::time_t now) {
  return std::make_unique<FolderReservation>(dir_, now);
}

std::unique_ptr<SetReservation> FolderRepository::reserve_named(const std::string& prefix) {
  return std::make_unique<FolderReservation>(dir_, prefix);
}

std::unique_ptr<PartReader> FolderRepository::open_part(const SetInfo& set, const std::string& name) {
  // The set may have been found by path, in another folder than dir_.
  fs::path manifest = set.part("manifest.json");
  fs::path dir = manifest.empty() ? dir_ : manifest.parent_path();
  return std::make_unique<FilePartReader>(dir / name);
}

std::unique_ptr<LocalSet> FolderRepository::local_set(const SetInfo& set, bool) {
  return std::make_unique<FolderLocalSet>(set);
}

void FolderRepository::remove_set(const std::string& prefix) { engine::remove_set(dir_, prefix); }

}  // namespace crm::engine::repo
