#include "s3/request_url.hpp"

#include <algorithm>

#include "storage-api/url.hpp"

namespace crm::s3 {

std::string canonical_query(QueryParams query) {
  for (auto& [k, v] : query) {
    k = storage::percent_encode_segment(k);
    v = storage::percent_encode_segment(v);
  }
  std::sort(query.begin(), query.end());
  std::string out;
  for (const auto& [k, v] : query) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

namespace {

struct Base {
  std::string origin;  // scheme://host[:port]
  std::string path;    // "" or "/..." before the bucket or key
};

Base base_of(const S3Config& cfg) {
  if (cfg.endpoint.empty()) {
    std::string host = "s3." + cfg.region + ".amazonaws.com";
    if (cfg.url_style == UrlStyle::kVirtual) host = cfg.location.bucket + "." + host;
    return {"https://" + host, ""};
  }
  std::size_t host_at = cfg.endpoint.find("://") + 3;
  std::size_t path_at = cfg.endpoint.find('/', host_at);
  Base b{cfg.endpoint.substr(0, path_at), path_at == std::string::npos ? "" : cfg.endpoint.substr(path_at)};
  if (cfg.url_style == UrlStyle::kVirtual) b.origin.insert(host_at, cfg.location.bucket + ".");
  return b;
}

}  // namespace

std::string request_host(const S3Config& cfg) { return base_of(cfg).origin; }

std::string request_url(const S3Config& cfg, std::string_view key, const QueryParams& query) {
  Base b = base_of(cfg);
  std::string url = b.origin + b.path;
  if (cfg.url_style != UrlStyle::kVirtual) url += "/" + storage::percent_encode_segment(cfg.location.bucket);
  if (!key.empty() || cfg.url_style == UrlStyle::kVirtual) url += "/" + storage::encode_object_path(key);
  if (!query.empty()) url += "?" + canonical_query(query);
  return url;
}

}  // namespace crm::s3
