#include "engine/repo/open_repository.hpp"

#include <cstdlib>

#include "engine/errors.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/s3_repository.hpp"

namespace crm::engine::repo {

namespace {

std::chrono::seconds seconds_setting(const s3::EnvLookup& env, const std::string& name, std::chrono::seconds fallback) {
  auto v = env(name);
  if (!v || v->empty()) return fallback;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (*end != '\0' || n < 1 || n > 86400)
    throw UsageError(name + " must be a whole number of seconds from 1 to 86400, got '" + *v + "'");
  return std::chrono::seconds(n);
}

// How many files an S3 repository sends (and verify and restore fetch) at once.
int transfers_setting(const s3::EnvLookup& env, int fallback) {
  const std::string name = "BACKUP_REPO_TRANSFERS";
  auto v = env(name);
  if (!v || v->empty()) return fallback;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (*end != '\0' || n < 1 || n > 64) throw UsageError(name + " must be a whole number from 1 to 64, got '" + *v + "'");
  return static_cast<int>(n);
}

}  // namespace

bool is_s3_url(std::string_view url) { return url.rfind("s3://", 0) == 0; }

std::shared_ptr<Repository> open_repository(const RepositorySelection& sel, bool create, const s3::EnvLookup& env) {
  if (!sel.repo_flag.empty() && !sel.backup_dir_flag.empty())
    throw UsageError("--repo and --backup-dir both name the repository: give one of them");
  std::string url = sel.repo_flag;
  std::string origin = "--repo";
  if (url.empty() && sel.backup_dir_flag.empty())
    if (auto v = env("BACKUP_REPO"); v && !v->empty()) {
      url = *v;
      origin = "BACKUP_REPO";
    }
  if (!url.empty() && !is_s3_url(url) && url.front() != '/')
    throw UsageError(origin + " must be s3://BUCKET/PREFIX or an absolute folder path, got '" + url + "'");
  if (!is_s3_url(url)) {
    if (sel.url_style) throw UsageError("--s3-url-style only applies to an s3:// repository");
    // A folder: the flag value, else BACKUP_DIR, with the old scripts' checks and messages.
    return std::make_shared<FolderRepository>(
        resolve_backup_dir(url.empty() ? sel.backup_dir_flag : url, create));
  }
  S3RepositoryOptions o;
  s3::Location location;
  try {
    location = s3::parse_location(url);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  s3::ConfigOverrides overrides;
  overrides.url_style = sel.url_style;
  o.config = s3::resolve_config(location, env, overrides);
  o.config.transfers = transfers_setting(env, o.config.transfers);
  o.lock.heartbeat = seconds_setting(env, "BACKUP_REPO_LOCK_HEARTBEAT_SECONDS", o.lock.heartbeat);
  o.lock.stale_after = seconds_setting(env, "BACKUP_REPO_LOCK_STALE_SECONDS", o.lock.stale_after);
  o.blob_grace = seconds_setting(env, "BACKUP_REPO_BLOB_GRACE_SECONDS", o.blob_grace);
  if (o.lock.stale_after <= o.lock.heartbeat)
    throw UsageError("BACKUP_REPO_LOCK_STALE_SECONDS must be longer than the heartbeat interval (" +
                     std::to_string(o.lock.heartbeat.count()) + " s)");
  return std::make_shared<S3Repository>(std::move(o));
}

}  // namespace crm::engine::repo
