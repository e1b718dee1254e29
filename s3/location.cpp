#include "s3/location.hpp"

#include <stdexcept>

namespace crm::s3 {

Location parse_location(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("invalid S3 repository URL '" + std::string(url) + "': " + why +
                                " (expected s3://BUCKET or s3://BUCKET/PREFIX)");
  };
  if (url.size() < kScheme.size() || url.substr(0, kScheme.size()) != kScheme) fail("it must start with s3://");
  std::string_view rest = url.substr(kScheme.size());
  std::size_t slash = rest.find('/');
  Location loc;
  loc.bucket = std::string(rest.substr(0, slash));
  if (loc.bucket.empty()) fail("the bucket name is missing");
  for (char c : loc.bucket) {
    // '?', '#', '@', ':' and the like would change which host or resource the request names.
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_';
    if (!ok) fail("the bucket name may only hold letters, digits, '-', '.' and '_'");
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.front() == '/') prefix.remove_prefix(1);
    loc.prefix = std::string(prefix);
    for (unsigned char c : loc.prefix)
      if (c < 0x20 || c == 0x7f) fail("the prefix holds a control character");
    if (!loc.prefix.empty() && loc.prefix.back() != '/') loc.prefix.push_back('/');
  }
  return loc;
}

bool dns_compatible_bucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(b.front()) || !alnum(b.back())) return false;
  for (char c : b)
    if (!alnum(c) && c != '-') return false;  // dots break TLS wildcard certificates
  return true;
}

}  // namespace crm::s3
