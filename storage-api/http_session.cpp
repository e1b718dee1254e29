#include "storage-api/http_session.hpp"

#include "storage-api/cancel.hpp"

#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "storage-api/errors.hpp"

namespace crm::storage {
namespace {

std::size_t on_body(char* p, std::size_t sz, std::size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, sz * n);
  return sz * n;
}

std::size_t on_header(char* p, std::size_t sz, std::size_t n, void* ud) {
  std::string_view line(p, sz * n);
  auto* resp = static_cast<HttpResponse*>(ud);
  constexpr std::string_view kRetry = "retry-after:";
  if (line.size() > kRetry.size()) {
    std::string lower(line.substr(0, kRetry.size()));
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == kRetry) resp->retry_after = parse_retry_after(line.substr(kRetry.size()));
  }
  return sz * n;
}

}  // namespace

HttpSession::HttpSession(const StorageConfig& cfg) : cfg_(cfg) {
  append_auth_headers(headers_, cfg_.service_key);
  headers_.append("Content-Type: application/json");
  headers_.append("Accept: application/json");
  headers_.append("Expect:");
}

RetryPolicy HttpSession::policy() const {
  return RetryPolicy{cfg_.max_retries, std::chrono::milliseconds(cfg_.retry_base_ms),
                     std::chrono::milliseconds(cfg_.retry_max_ms)};
}

HttpResponse HttpSession::once(std::string_view method, const std::string& url, const std::string* json_body,
                               CURLcode& rc) {
  CURL* h = easy_.get();
  curl_easy_reset(h);
  apply_common_options(h, cfg_, errbuf_);
  errbuf_[0] = 0;
  HttpResponse resp;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp);
  std::string m(method);
  if (m == "POST") curl_easy_setopt(h, CURLOPT_POST, 1L);
  else if (m != "GET") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m.c_str());
  if (json_body) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body->c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body->size()));
  }
  rc = curl_easy_perform(h);
  if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

void HttpSession::announce_retry(std::string_view context, const std::string& why, int retry,
                                 std::chrono::milliseconds wait) const {
  std::string msg = redact(fmt::format("storage: {}: {}; retry {} of {} in {:.1f} s", context, why, retry,
                                       cfg_.max_retries, static_cast<double>(wait.count()) / 1000.0),
                           cfg_.service_key);
  if (cfg_.warn) cfg_.warn(msg);
  else std::cerr << msg << "\n";
}

HttpResponse HttpSession::call(std::string_view method, const std::string& url, const std::string* json_body,
                               std::string_view context) {
  RetryPolicy pol = policy();
  auto t0 = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    throw_if_cancelled(cfg_, context);
    CURLcode rc = CURLE_OK;
    HttpResponse resp = once(method, url, json_body, rc);
    throw_if_cancelled(cfg_, context);
    std::string why;
    if (rc != CURLE_OK) {
      why = fmt::format("{} ({})", curl_easy_strerror(rc), errbuf_);
      bool retry = RetryPolicy::retryable_curl(rc);
      if (!retry || attempt >= pol.max_retries)
        throw StorageError(
            ErrorKind::kTransport,
            redact(fmt::format("{}: cannot reach the storage server at {}: {}{}", context, cfg_.base_url, why,
                               retry ? gave_up_note(attempt + 1, std::chrono::steady_clock::now() - t0, pol.max_retries)
                                     : ""),
                   cfg_.service_key));
    } else if (!resp.ok()) {
      ApiError e = parse_error_body(resp.status, resp.body);
      if (!RetryPolicy::retryable_status(e)) return resp;
      if (attempt >= pol.max_retries) {
        resp.gave_up = gave_up_note(attempt + 1, std::chrono::steady_clock::now() - t0, pol.max_retries);
        return resp;
      }
      why = e.describe();
    } else {
      return resp;
    }
    auto wait = pol.delay(attempt + 1, resp.retry_after, rng_());
    announce_retry(context, why, attempt + 1, wait);
    cancellable_sleep(cfg_, wait, context);
  }
}

}  // namespace crm::storage
