#pragma once
// Storage errors: the HTTP status and the JSON body ({"statusCode":"404","code":"NoSuchKey",...})
// read together, because the real server answers 400 with the real status in the body while a
// gateway may answer with the real status itself.
#include <stdexcept>
#include <string>
#include <string_view>

namespace crm::storage {

struct ApiError {
  long http_status = 0;
  std::string status_code;  // the body's statusCode, as text ("404"); empty when absent
  std::string code;         // NoSuchKey, AccessDenied, ...
  std::string error;
  std::string message;

  // The body's statusCode when it is a number, else the HTTP status.
  long effective_status() const;
  // "HTTP 400, statusCode 404 NoSuchKey: Object not found"
  std::string describe() const;
};

ApiError parse_error_body(long http_status, std::string_view body);

bool is_key_rejected(const ApiError& e);
bool is_not_found(const ApiError& e);       // NoSuchKey / NoSuchBucket / 404
bool is_bucket_missing(const ApiError& e);  // NoSuchBucket
// list-v2 unavailable on an older server: 400 FeatureNotEnabled-style, or a route not found.
bool is_feature_missing(const ApiError& e);

// kCancelled: StorageConfig::cancelled said stop (a signal); not a fault of the server.
enum class ErrorKind { kKeyRejected, kBucketMissing, kNotFound, kHttp, kTransport, kProtocol, kLocal, kCancelled };

class StorageError : public std::runtime_error {
 public:
  StorageError(ErrorKind kind, const std::string& what, ApiError api = {})
      : std::runtime_error(what), kind_(kind), api_(std::move(api)) {}
  ErrorKind kind() const { return kind_; }
  const ApiError& api() const { return api_; }

 private:
  ErrorKind kind_;
  ApiError api_;
};

// Replaces every occurrence of secret in text (a server may echo the token back).
std::string redact(std::string text, std::string_view secret);
// The error for a failed API call: key rejection gets its own wording.
StorageError error_from_api(std::string_view context, const ApiError& e, std::string_view secret);
std::string key_rejected_message(const ApiError& e);

}  // namespace crm::storage
