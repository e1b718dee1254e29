#include "engine/repo/copy_targets.hpp"

#include <filesystem>
#include <set>

#include "engine/errors.hpp"
#include "engine/repo/open_repository.hpp"

namespace crm::engine::repo {

std::vector<std::string> split_copy_targets(std::string_view value) {
  std::vector<std::string> urls;
  std::string current;
  for (char c : value) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!current.empty()) urls.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) urls.push_back(std::move(current));
  return urls;
}

std::vector<std::shared_ptr<Repository>> open_copy_targets(const std::vector<std::string>& flags,
                                                           const Repository& primary, const s3::EnvLookup& env) {
  std::vector<std::string> urls = flags;
  std::string origin = "--copy-to";
  if (urls.empty())
    if (auto v = env("BACKUP_COPY_TO"); v) {
      urls = split_copy_targets(*v);
      origin = "BACKUP_COPY_TO";
    }
  // A folder named two ways ("/b", "/b/", a symlink) is still one repository.
  auto identity = [](const Repository& r) {
    if (!r.is_folder()) return r.display();
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(r.display(), ec);
    return ec ? r.display() : canonical.string();
  };
  std::vector<std::shared_ptr<Repository>> targets;
  std::set<std::string> seen = {identity(primary)};
  for (const auto& url : urls) {
    if (!is_s3_url(url) && (url.empty() || url.front() != '/'))
      throw UsageError(origin + " must name s3://BUCKET/PREFIX or an absolute folder path, got '" + url + "'");
    // --repo's rules, without BACKUP_REPO/BACKUP_DIR: the URL alone names the target.
    auto target = open_repository(RepositorySelection{url, "", std::nullopt}, /*create=*/true,
                                  [&](const std::string& name) -> std::optional<std::string> {
                                    if (name == "BACKUP_REPO" || name == "BACKUP_DIR") return std::nullopt;
                                    return env(name);
                                  });
    if (!seen.insert(identity(*target)).second)
      throw UsageError(origin + " names " + target->display() +
                       (identity(*target) == identity(primary) ? ", the repository the backup is written to"
                                                               : " twice"));
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace crm::engine::repo
