#pragma once
// The folder repository: BACKUP_DIR in the old scripts' layout (<prefix>-roles.sql, ...,
// <prefix>-attachments/, <prefix>-manifest.json), written through a hidden staging folder
// (engine/backupset/staging.hpp). Every message and file is the one the folder code always had.
#include <filesystem>

#include "engine/repo/repository.hpp"

namespace crm::engine::repo {

class FolderRepository final : public Repository {
 public:
  explicit FolderRepository(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::string display() const override { return dir_.string(); }
  bool is_folder() const override { return true; }
  Capabilities capabilities() const override { return {.hard_links = true, .rename = true, .server_side_copy = false}; }

  std::vector<SetInfo> list_sets() override;
  SetInfo find_set(const std::string& prefix_or_path) override;
  std::vector<std::string> clean_crashed_runs() override;
  std::unique_ptr<SetReservation> reserve(std::time_t now) override;
  std::unique_ptr<SetReservation> reserve_named(const std::string& prefix) override;
  std::unique_ptr<PartReader> open_part(const SetInfo& set, const std::string& name) override;
  std::unique_ptr<LocalSet> local_set(const SetInfo& set, bool with_attachments) override;
  void remove_set(const std::string& prefix) override;
  std::optional<std::string> read_key_file() override;
  bool create_key_file(const std::string& json) override;
  void replace_key_file(const std::string& json) override;
  std::string key_file_location() const override { return (dir_ / std::string(kKeyFileName)).string(); }

 private:
  std::filesystem::path dir_;
};

// Reads a local file as a stream (also what the S3 repository uploads parts from).
class FilePartReader final : public PartReader {
 public:
  explicit FilePartReader(const std::filesystem::path& path);
  ~FilePartReader() override;
  FilePartReader(const FilePartReader&) = delete;
  FilePartReader& operator=(const FilePartReader&) = delete;
  std::size_t read(char* buf, std::size_t cap) override;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace crm::engine::repo
