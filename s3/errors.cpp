#include "s3/errors.hpp"

#include <fmt/format.h>

#include "s3/xml.hpp"

namespace crm::s3 {

std::string ApiError::describe() const {
  std::string out = fmt::format("HTTP {}", http_status);
  if (!code.empty()) out += " " + code;
  if (!message.empty()) out += ": " + message;
  if (!request_id.empty()) out += " (request id " + request_id + ")";
  return out;
}

bool is_error_document(std::string_view body) {
  try {
    return parse_xml(body).name == "Error";
  } catch (const XmlError&) {
    return false;
  }
}

ApiError parse_error_body(long http_status, std::string_view body) {
  ApiError e;
  e.http_status = http_status;
  bool parsed = false;
  if (!body.empty()) {
    try {
      XmlElement doc = parse_xml(body);
      // Some gateways wrap the error: <ErrorResponse><Error>...</Error></ErrorResponse>.
      const XmlElement* err = doc.name == "Error" ? &doc : doc.child("Error");
      if (err) {
        e.code = err->child_text("Code");
        e.message = err->child_text("Message");
        e.request_id = err->child_text("RequestId");
        e.resource = err->child_text("Key", err->child_text("BucketName", err->child_text("Resource")));
        parsed = true;
      }
    } catch (const XmlError&) {
    }
    if (!parsed) {
      std::string excerpt(body.substr(0, 200));
      for (char& ch : excerpt)
        if (ch == '\n' || ch == '\r') ch = ' ';
      e.message = excerpt;
    }
  }
  if (e.code.empty()) {
    // HEAD answers carry no body: name the status the way S3's SDKs do.
    switch (http_status) {
      case 301: e.code = "PermanentRedirect"; break;
      case 304: e.code = "NotModified"; break;
      case 400: e.code = "BadRequest"; break;
      case 403: e.code = "Forbidden"; break;
      case 404: e.code = "NotFound"; break;
      case 412: e.code = "PreconditionFailed"; break;
      case 503: e.code = "ServiceUnavailable"; break;
      default: break;
    }
  }
  return e;
}

ErrorKind kind_of(const ApiError& e) {
  const std::string& c = e.code;
  if (c == "NoSuchKey" || c == "NotFound") return ErrorKind::kNoSuchKey;
  if (c == "NoSuchBucket") return ErrorKind::kNoSuchBucket;
  if (c == "NoSuchUpload") return ErrorKind::kNoSuchUpload;
  if (c == "AccessDenied" || c == "Forbidden" || c == "AllAccessDisabled" || c == "AccountProblem")
    return ErrorKind::kAccessDenied;
  if (c == "InvalidAccessKeyId") return ErrorKind::kInvalidAccessKeyId;
  if (c == "SignatureDoesNotMatch") return ErrorKind::kSignatureDoesNotMatch;
  if (c == "ExpiredToken" || c == "InvalidToken" || c == "TokenRefreshRequired") return ErrorKind::kExpiredToken;
  if (c == "AuthorizationHeaderMalformed" || c == "PermanentRedirect" || c == "IllegalLocationConstraintException")
    return ErrorKind::kWrongRegion;
  if (c == "SlowDown" || c == "Throttling" || c == "ThrottlingException" || c == "TooManyRequests" ||
      e.http_status == 429)
    return ErrorKind::kSlowDown;
  if (c == "PreconditionFailed" || e.http_status == 412) return ErrorKind::kPreconditionFailed;
  if (e.http_status == 404) return ErrorKind::kNoSuchKey;
  if (e.http_status == 403) return ErrorKind::kAccessDenied;
  return ErrorKind::kHttp;
}

bool retryable(const ApiError& e) {
  long s = e.http_status;
  if (s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504) return true;
  const std::string& c = e.code;
  return c == "SlowDown" || c == "InternalError" || c == "ServiceUnavailable" || c == "RequestTimeout" ||
         c == "Throttling" || c == "ThrottlingException" || c == "TooManyRequests" || c == "RequestTimeTooSkewed" ||
         c == "OperationAborted";
}

bool is_auth_error(ErrorKind k) {
  return k == ErrorKind::kAccessDenied || k == ErrorKind::kInvalidAccessKeyId ||
         k == ErrorKind::kSignatureDoesNotMatch || k == ErrorKind::kExpiredToken;
}

const char* kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::kNoSuchKey: return "NoSuchKey";
    case ErrorKind::kNoSuchBucket: return "NoSuchBucket";
    case ErrorKind::kNoSuchUpload: return "NoSuchUpload";
    case ErrorKind::kAccessDenied: return "AccessDenied";
    case ErrorKind::kInvalidAccessKeyId: return "InvalidAccessKeyId";
    case ErrorKind::kSignatureDoesNotMatch: return "SignatureDoesNotMatch";
    case ErrorKind::kExpiredToken: return "ExpiredToken";
    case ErrorKind::kWrongRegion: return "WrongRegion";
    case ErrorKind::kSlowDown: return "SlowDown";
    case ErrorKind::kPreconditionFailed: return "PreconditionFailed";
    case ErrorKind::kHttp: return "Http";
    case ErrorKind::kTransport: return "Transport";
    case ErrorKind::kProtocol: return "Protocol";
    case ErrorKind::kIntegrity: return "Integrity";
    case ErrorKind::kLocal: return "Local";
  }
  return "?";
}

S3Error error_from_api(std::string_view context, const ApiError& e) {
  ErrorKind kind = kind_of(e);
  std::string hint;
  switch (kind) {
    case ErrorKind::kInvalidAccessKeyId:
      hint = " (the access key id is unknown to this server: check AWS_ACCESS_KEY_ID or the profile, and the endpoint)";
      break;
    case ErrorKind::kSignatureDoesNotMatch:
      hint = " (check the secret access key: AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key)";
      break;
    case ErrorKind::kExpiredToken: hint = " (the session token has expired: get new temporary credentials)"; break;
    case ErrorKind::kAccessDenied: hint = " (the credentials lack the permission, or the bucket policy refuses it)"; break;
    case ErrorKind::kWrongRegion: hint = " (set AWS_REGION to the bucket's region)"; break;
    case ErrorKind::kNoSuchBucket: hint = " (check the bucket name in the s3:// URL and the endpoint)"; break;
    default: break;
  }
  return S3Error(kind, fmt::format("{}: {}{}", context, e.describe(), hint), e);
}

}  // namespace crm::s3
