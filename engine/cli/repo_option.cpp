#include "engine/cli/repo_option.hpp"

#include "engine/errors.hpp"
#include "engine/repo/open_repository.hpp"

namespace crm::cli {

void RepoOption::add_to(CLI::App& cmd, const std::string& backup_dir_help) {
  cmd.add_option("--backup-dir", backup_dir, backup_dir_help);
  cmd.add_option("--repo", repo,
                 "the repository: s3://BUCKET/PREFIX or a folder (default: $BACKUP_REPO, else the backup folder)");
  cmd.add_option("--s3-url-style", url_style, "path or virtual: how S3 requests name the bucket (default: path when "
                                              "an endpoint is set, else virtual)");
}

std::shared_ptr<engine::repo::Repository> RepoOption::open(bool create) const {
  engine::repo::RepositorySelection sel{repo, backup_dir, std::nullopt};
  if (!url_style.empty()) {
    if (url_style != "path" && url_style != "virtual")
      throw engine::UsageError("--s3-url-style must be path or virtual, got '" + url_style + "'");
    sel.url_style = s3::parse_url_style(url_style);
  }
  return engine::repo::open_repository(sel, create);
}

std::shared_ptr<engine::repo::Repository> RepoOption::open_for_set(const std::string& set) const {
  bool is_path = set.find('/') != std::string::npos;
  if (is_path && repo.empty()) return nullptr;
  return open(/*create=*/false);
}

}  // namespace crm::cli
