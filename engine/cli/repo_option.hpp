#pragma once
// --repo URL, --backup-dir and --s3-url-style: the repository a command works on
// (engine/repo/open_repository.hpp says which one wins).
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/repo/repository.hpp"

namespace crm::cli {

struct RepoOption {
  std::string repo;
  std::string backup_dir;
  std::string url_style;

  void add_to(CLI::App& cmd, const std::string& backup_dir_help);
  bool named() const { return !repo.empty() || !backup_dir.empty(); }
  std::shared_ptr<engine::repo::Repository> open(bool create) const;
  // The repository a set named on the command line (a prefix or a path) is read from: a path
  // is read where it is (null: the runner's folder repository), unless --repo names one.
  std::shared_ptr<engine::repo::Repository> open_for_set(const std::string& set) const;
};

}  // namespace crm::cli
