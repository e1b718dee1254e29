#pragma once
// `s3://BUCKET/PREFIX` as typed by a user: the bucket and the key prefix every object of the
// repository lives under.
#include <string>
#include <string_view>

namespace crm::s3 {

struct Location {
  std::string bucket;
  std::string prefix;  // "" or ends with '/' (added when missing), never starts with '/'
};

// Throws std::invalid_argument with a message that says what is wrong and what a valid URL
// looks like.
Location parse_location(std::string_view url);

// S3 bucket naming rules (3-63 characters of a-z 0-9 . -, starting and ending with a letter or
// digit). Buckets of other S3-compatible stores may be laxer, so this only decides whether
// virtual-hosted addressing can work, never rejects a bucket.
bool dns_compatible_bucket(std::string_view bucket);

}  // namespace crm::s3
