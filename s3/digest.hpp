#pragma once
// The digests S3 asks for: SHA-256 of a payload (x-amz-content-sha256, lower-case hex), MD5
// (Content-MD5 in base64; single-part ETags in hex). OpenSSL's EVP does the hashing.
#include <string>
#include <string_view>

namespace crm::s3 {

std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);
std::string md5_base64(std::string_view data);
// Both forms of one MD5, for a body that needs Content-MD5 and an ETag check: one pass over it.
struct Md5Forms {
  std::string hex;
  std::string base64;
};
Md5Forms md5_forms(std::string_view data);
// The ETag without the quotes S3 puts around it (and a weak validator's W/), lower-cased.
std::string unquote_etag(std::string_view etag);

}  // namespace crm::s3
