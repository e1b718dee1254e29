#pragma once
// The S3 repository: s3://BUCKET/PREFIX holds sets in the folder layout, one object per file
// ("<root><set>-roles.sql", "<root><set>-attachments/<object path>", "<root><set>-manifest.json"),
// so a plain copy of the prefix (aws s3 sync, rclone copy) is a usable BACKUP_DIR. A set is
// complete only when its manifest object exists; the manifest is uploaded after every other
// part and deleted before them. A running backup holds "<root>.locks/<set>.json" (s3_lock.hpp).
#include <filesystem>

#include "engine/repo/repository.hpp"
#include "engine/repo/s3_lock.hpp"
#include "s3/client.hpp"

namespace crm::engine::repo {

struct S3RepositoryOptions {
  s3::S3Config config;
  LockTiming lock;
  // Where a backup stages its parts and restore/verify copy a set (a private folder per run).
  std::filesystem::path local_temp_root = std::filesystem::temp_directory_path();
};

class S3Repository final : public Repository {
 public:
  explicit S3Repository(S3RepositoryOptions opts);

  std::string display() const override;
  bool is_folder() const override { return false; }
  Capabilities capabilities() const override { return {.hard_links = false, .rename = false, .server_side_copy = true}; }

  std::vector<SetInfo> list_sets() override;
  SetInfo find_set(const std::string& prefix_or_path) override;
  std::vector<std::string> clean_crashed_runs() override;
  std::unique_ptr<SetReservation> reserve(std::time_t now) override;
  std::unique_ptr<PartReader> open_part(const SetInfo& set, const std::string& name) override;
  std::unique_ptr<LocalSet> local_set(const SetInfo& set, bool with_attachments) override;
  void remove_set(const std::string& prefix) override;

  const S3RepositoryOptions& options() const { return opts_; }
  s3::Client& client() { return client_; }
  // Every object key of a set (its parts; not its lock).
  std::vector<std::string> set_keys(const std::string& prefix);

 private:
  S3RepositoryOptions opts_;
  s3::Client client_;
};

}  // namespace crm::engine::repo
