#include "storage-api/errors.hpp"

#include <simdjson.h>

#include <charconv>

#include <fmt/format.h>

namespace crm::storage {

long ApiError::effective_status() const {
  long v = 0;
  auto [p, ec] = std::from_chars(status_code.data(), status_code.data() + status_code.size(), v);
  if (ec == std::errc() && p == status_code.data() + status_code.size() && v > 0) return v;
  return http_status;
}

std::string ApiError::describe() const {
  std::string out = fmt::format("HTTP {}", http_status);
  if (!status_code.empty() && status_code != std::to_string(http_status)) out += ", statusCode " + status_code;
  std::string what = !code.empty() ? code : error;
  if (!what.empty()) out += (status_code.empty() || status_code == std::to_string(http_status) ? ", " : " ") + what;
  if (!message.empty()) out += ": " + message;
  return out;
}

ApiError parse_error_body(long http_status, std::string_view body) {
  ApiError e;
  e.http_status = http_status;
  if (body.empty()) return e;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    // Not JSON (a proxy's HTML page): keep a short, single-line excerpt.
    std::string excerpt(body.substr(0, 200));
    for (char& ch : excerpt)
      if (ch == '\n' || ch == '\r') ch = ' ';
    e.message = excerpt;
    return e;
  }
  auto text = [&](const char* key) -> std::string {
    simdjson::dom::element v;
    if (doc[key].get(v) != simdjson::SUCCESS) return {};
    std::string_view sv;
    if (v.get(sv) == simdjson::SUCCESS) return std::string(sv);
    std::int64_t i;
    if (v.get(i) == simdjson::SUCCESS) return std::to_string(i);
    return {};
  };
  e.status_code = text("statusCode");
  e.code = text("code");
  e.error = text("error");
  e.message = text("message");
  return e;
}

bool is_key_rejected(const ApiError& e) {
  long s = e.effective_status();
  return s == 401 || s == 403 || e.http_status == 401 || e.http_status == 403 || e.code == "AccessDenied" ||
         e.code == "InvalidJWT";
}

bool is_bucket_missing(const ApiError& e) { return e.code == "NoSuchBucket"; }

bool is_not_found(const ApiError& e) {
  return e.code == "NoSuchKey" || e.code == "NoSuchBucket" || e.effective_status() == 404;
}

bool is_feature_missing(const ApiError& e) {
  auto has = [](const std::string& s, std::string_view what) { return s.find(what) != std::string::npos; };
  if (has(e.code, "FeatureNotEnabled") || has(e.error, "FeatureNotEnabled")) return true;
  // Servers without the route at all: fastify's "Route POST:/object/list-v2/x not found".
  return e.effective_status() == 404 && has(e.message, "Route ");
}

std::string redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (std::size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
    text.replace(pos, secret.size(), "[redacted]");
  return text;
}

std::string key_rejected_message(const ApiError& e) {
  return "storage rejected the service key (" + e.describe() +
         "); check --service-key or SUPABASE_SERVICE_ROLE_KEY (the service_role key of this project)";
}

StorageError error_from_api(std::string_view context, const ApiError& e, std::string_view secret) {
  if (is_key_rejected(e)) return StorageError(ErrorKind::kKeyRejected, redact(key_rejected_message(e), secret), e);
  ErrorKind kind = is_bucket_missing(e) ? ErrorKind::kBucketMissing
                   : is_not_found(e)   ? ErrorKind::kNotFound
                                       : ErrorKind::kHttp;
  return StorageError(kind, redact(std::string(context) + ": " + e.describe(), secret), e);
}

}  // namespace crm::storage
