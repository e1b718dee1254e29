#pragma once
// Request URLs for a bucket and its keys, written in SigV4's canonical form (path segments and
// query parts percent-encoded with upper-case hex, query parameters sorted, "name=" for
// valueless ones) so the URL libcurl signs is the one the server canonicalizes.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/config.hpp"

namespace crm::s3 {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

std::string canonical_query(QueryParams query);
// key "" addresses the bucket itself (listing, batch delete, multipart listing).
std::string request_url(const S3Config& cfg, std::string_view key, const QueryParams& query = {});
// The host the requests go to, for error messages.
std::string request_host(const S3Config& cfg);

}  // namespace crm::s3
