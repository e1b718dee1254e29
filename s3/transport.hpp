#pragma once
// One keep-alive libcurl handle that sends signed S3 requests (libcurl's own SigV4,
// CURLOPT_AWS_SIGV4, with the payload's SHA-256 in x-amz-content-sha256 since every body is
// held in memory) and retries them with the storage client's backoff policy: dropped
// connections, short bodies, 408/429/5xx and S3's transient codes (SlowDown, InternalError...).
#include <curl/curl.h>

#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/config.hpp"
#include "s3/errors.hpp"
#include "s3/request_url.hpp"
#include "storage-api/curl_handles.hpp"
#include "storage-api/retry_policy.hpp"

namespace crm::s3 {

struct Request {
  std::string method = "GET";  // GET PUT POST DELETE HEAD
  std::string key;             // "" addresses the bucket
  QueryParams query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // PUT/POST payload; must outlive the call
  // When set, a 2xx answer's body goes here instead of Response::body (the answer's status and
  // headers are known by then); returning false stops the transfer, not retried.
  std::function<bool(const struct Response&, std::string_view)> sink;
};

struct Response {
  long status = 0;
  std::string body;  // error bodies and XML answers (bounded)
  std::map<std::string, std::string> headers;  // names lower-cased, of the final answer
  bool ok() const { return status >= 200 && status < 300; }
  std::string header(const std::string& lower_name) const;
};

// Why a 2xx answer is not good after all (a 200 with an <Error> body, a short body).
struct Problem {
  std::string why;
  bool retry = true;
  std::optional<ApiError> api;
  ErrorKind kind = ErrorKind::kIntegrity;
};
using AnswerCheck = std::function<std::optional<Problem>(const Response&)>;

class Transport {
 public:
  explicit Transport(const S3Config& cfg);

  // Sends the request built by `build` (called again before every attempt, so a resumed
  // download can ask for the rest) until the answer is final. Returns the final answer,
  // whatever its status; throws S3Error kTransport when no answer came after the retries, and
  // the check's kind when a 2xx answer stayed bad. `context` names the operation and key.
  Response call(std::string_view context, const std::function<Request()>& build, const AnswerCheck& check = {});

  const S3Config& config() const { return cfg_; }
  storage::RetryPolicy policy() const;
  // Hides the secret and the session token in text that came from a server or libcurl.
  std::string redact(std::string text) const;

 private:
  Response once(const Request& req, CURLcode& rc);

  S3Config cfg_;
  storage::StorageConfig curl_settings_;  // timeouts and TLS options in the storage client's form
  storage::Easy easy_;
  char errbuf_[CURL_ERROR_SIZE] = {};
  std::mt19937_64 rng_{std::random_device{}()};
};

// The error for a non-2xx final answer.
S3Error error_from_response(std::string_view context, const Response& r, const Transport& t);

}  // namespace crm::s3
