#pragma once
// S3 errors: the XML error body (<Error><Code>..</Code><Message>..</Message>) read into a typed
// kind, so callers tell "not there" from "not allowed" from "try again" without matching text.
#include <stdexcept>
#include <string>
#include <string_view>

namespace crm::s3 {

enum class ErrorKind {
  kNoSuchKey,
  kNoSuchBucket,
  kNoSuchUpload,
  kAccessDenied,
  kInvalidAccessKeyId,
  kSignatureDoesNotMatch,
  kExpiredToken,
  kWrongRegion,         // AuthorizationHeaderMalformed / PermanentRedirect: the bucket is elsewhere
  kSlowDown,            // throttled, still after the retries
  kPreconditionFailed,  // If-None-Match / If-Match did not hold
  kHttp,                // any other error answer
  kTransport,           // no answer after the retries
  kProtocol,            // an answer that does not follow the protocol (unreadable XML, missing fields)
  kIntegrity,           // short read, wrong ETag or digest: the bytes are not the ones sent or stored
  kLocal,               // the caller's source or sink failed
};

struct ApiError {
  long http_status = 0;
  std::string code;  // S3's Code, or for a body-less answer (HEAD) one derived from the status
  std::string message;
  std::string request_id;
  std::string resource;  // the key or bucket the server names, when it does

  // "HTTP 404 NoSuchKey: The specified key does not exist. (request id 4442587FB7D0A2F9)"
  std::string describe() const;
};

// Reads an error body; a body that is not S3 XML (a proxy's HTML page) becomes a short,
// single-line message. Never throws.
ApiError parse_error_body(long http_status, std::string_view body);
// True for a body that is an <Error> document: S3 answers 200 to CompleteMultipartUpload and
// CopyObject and sends the error in the body when it fails late.
bool is_error_document(std::string_view body);

ErrorKind kind_of(const ApiError& e);
// 500, 502, 503, 504, 429, 408 and the codes S3 documents as transient.
bool retryable(const ApiError& e);
bool is_auth_error(ErrorKind k);
const char* kind_name(ErrorKind k);

class S3Error : public std::runtime_error {
 public:
  S3Error(ErrorKind kind, const std::string& what, ApiError api = {})
      : std::runtime_error(what), kind_(kind), api_(std::move(api)) {}
  ErrorKind kind() const { return kind_; }
  const ApiError& api() const { return api_; }

 private:
  ErrorKind kind_;
  ApiError api_;
};

// "put_object backups/x.zst: HTTP 403 SignatureDoesNotMatch: ... (check the secret access key:
// AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key)".
S3Error error_from_api(std::string_view context, const ApiError& e);

}  // namespace crm::s3
