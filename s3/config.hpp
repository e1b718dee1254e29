#pragma once
// Everything needed to talk to one S3 bucket, resolved the way the AWS CLI resolves it:
// environment first (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION /
// AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_PROFILE), then the profile
// in ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE move
// them). The secret and the session token are never printed: describe() is what logs get.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "s3/location.hpp"
#include "storage-api/config.hpp"

namespace crm::s3 {

enum class UrlStyle { kAuto, kPath, kVirtual };

// A setting that cannot work (missing credentials, a profile that does not exist, a bad
// endpoint URL): the user has to change something before trying again.
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // never printed
  std::string session_token;      // never printed; sent as x-amz-security-token
  std::string source;             // "environment" or "profile dev (/root/.aws/credentials)"
};

struct S3Config {
  Location location;
  Credentials credentials;
  std::string region = "us-east-1";
  std::string endpoint;  // scheme://host[:port][/path], no trailing '/'; "" = AWS itself
  UrlStyle url_style = UrlStyle::kAuto;  // resolve_config never leaves kAuto
  int transfers = 4;                     // part uploads in flight (each holds one part in memory)
  std::uint64_t part_size = 0;           // 0: chosen from the expected object size
  int max_retries = 6;                   // per request, after the first attempt
  int retry_base_ms = 200;
  int retry_max_ms = 10000;
  bool insecure_tls = false;
  // Single-part uploads and parts get an MD5 ETag from S3 and most compatible stores; SSE-KMS
  // and SSE-C buckets answer other ETags, so the check can be turned off for them.
  bool check_md5_etag = true;
  storage::Timeouts timeouts;

  // "s3://bucket/prefix/ at https://s3.us-east-1.amazonaws.com (region us-east-1, virtual-hosted
  // URLs), access key ****************ABCD from environment": no secret in it.
  std::string describe() const;
};

struct ConfigOverrides {
  std::optional<std::string> profile;  // like --profile: environment credentials are skipped
  std::optional<std::string> region;
  std::optional<std::string> endpoint;
  std::optional<UrlStyle> url_style;
};

// Looks a variable up; tests pass a map instead of the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// Throws ConfigError when no credentials are found or a named profile does not exist.
S3Config resolve_config(const Location& location, const EnvLookup& env, const ConfigOverrides& overrides = {});

UrlStyle parse_url_style(std::string_view text);  // "path" | "virtual" | "auto"; ConfigError otherwise
std::string mask_access_key(std::string_view key);

}  // namespace crm::s3
