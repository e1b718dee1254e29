#pragma once
// Which repository a command works on: `--repo URL` (s3://BUCKET/PREFIX or a folder path), else
// `--backup-dir`, else $BACKUP_REPO, else $BACKUP_DIR (the folder repository, as always).
#include <memory>
#include <optional>
#include <string>

#include "engine/repo/repository.hpp"
#include "s3/config.hpp"

namespace crm::engine::repo {

struct RepositorySelection {
  std::string repo_flag;        // --repo
  std::string backup_dir_flag;  // --backup-dir
  std::optional<s3::UrlStyle> url_style;  // --s3-url-style
};

bool is_s3_url(std::string_view url);

// create: make a missing folder (backup). Throws UsageError for conflicting or bad settings and
// s3::ConfigError when an S3 repository lacks credentials.
std::shared_ptr<Repository> open_repository(const RepositorySelection& sel, bool create,
                                            const s3::EnvLookup& env = s3::process_environment());

}  // namespace crm::engine::repo
