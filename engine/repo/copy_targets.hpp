#pragma once
// Where `backup --copy-to` pushes the committed set: each --copy-to URL, else the URLs in
// $BACKUP_COPY_TO, separated by whitespace or commas (so a path holding either must be given
// with --copy-to). Each is s3://BUCKET/PREFIX or an absolute folder path, opened like --repo.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/repo/repository.hpp"
#include "s3/config.hpp"

namespace crm::engine::repo {

// The URLs of $BACKUP_COPY_TO's value, in order, empty entries dropped.
std::vector<std::string> split_copy_targets(std::string_view value);

// Opens every target (folders created 0700). Throws UsageError for a bad URL, the primary
// repository itself or a target named twice, and s3::ConfigError when credentials are missing.
std::vector<std::shared_ptr<Repository>> open_copy_targets(const std::vector<std::string>& flags,
                                                           const Repository& primary,
                                                           const s3::EnvLookup& env = s3::process_environment());

}  // namespace crm::engine::repo
