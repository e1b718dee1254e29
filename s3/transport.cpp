#include "s3/transport.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "s3/digest.hpp"
#include "storage-api/errors.hpp"

namespace crm::s3 {
namespace {

constexpr std::size_t kMaxBufferedBody = 64u << 20;  // a 1000-key listing of 1 KiB keys is ~1.5 MiB

struct Exchange {
  const Request* req = nullptr;
  Response* resp = nullptr;
  std::string_view upload;
  std::size_t upload_off = 0;
  bool sink_failed = false;
  std::exception_ptr sink_error;  // thrown by the sink; carried across libcurl's C frames
  bool too_big = false;
};

std::size_t on_header(char* p, std::size_t sz, std::size_t n, void* ud) {
  auto* x = static_cast<Exchange*>(ud);
  std::string_view line(p, sz * n);
  if (line.starts_with("HTTP/")) {  // a new answer (after 100 Continue): forget the last one
    x->resp->headers.clear();
    std::size_t sp = line.find(' ');
    x->resp->status = sp == std::string_view::npos ? 0 : std::strtol(std::string(line.substr(sp + 1, 3)).c_str(), nullptr, 10);
    return sz * n;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return sz * n;
  std::string key(line.substr(0, colon));
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view v = line.substr(colon + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  x->resp->headers[key] = std::string(v);
  return sz * n;
}

std::size_t on_body(char* p, std::size_t sz, std::size_t n, void* ud) {
  auto* x = static_cast<Exchange*>(ud);
  std::size_t len = sz * n;
  bool success = x->resp->status >= 200 && x->resp->status < 300;
  if (success && x->req->sink) {
    try {
      if (x->req->sink(*x->resp, std::string_view(p, len))) return len;
    } catch (...) {
      x->sink_error = std::current_exception();
    }
    x->sink_failed = true;
    return 0;  // CURLE_WRITE_ERROR
  }
  if (x->resp->body.size() + len > kMaxBufferedBody) {
    x->too_big = true;
    return 0;
  }
  x->resp->body.append(p, len);
  return len;
}

std::size_t on_read(char* p, std::size_t sz, std::size_t n, void* ud) {
  auto* x = static_cast<Exchange*>(ud);
  std::size_t len = std::min(sz * n, x->upload.size() - x->upload_off);
  std::memcpy(p, x->upload.data() + x->upload_off, len);
  x->upload_off += len;
  return len;
}

int on_seek(void* ud, curl_off_t offset, int origin) {
  auto* x = static_cast<Exchange*>(ud);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > x->upload.size())
    return CURL_SEEKFUNC_CANTSEEK;
  x->upload_off = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

bool safe_header_text(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

}  // namespace

std::string Response::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

Transport::Transport(const S3Config& cfg) : cfg_(cfg) {
  curl_settings_.timeouts = cfg.timeouts;
  curl_settings_.insecure_tls = cfg.insecure_tls;
}

storage::RetryPolicy Transport::policy() const {
  return storage::RetryPolicy{cfg_.max_retries, std::chrono::milliseconds(cfg_.retry_base_ms),
                              std::chrono::milliseconds(cfg_.retry_max_ms)};
}

std::string Transport::redact(std::string text) const {
  text = storage::redact(std::move(text), cfg_.credentials.secret_access_key);
  return storage::redact(std::move(text), cfg_.credentials.session_token);
}

Response Transport::once(const Request& req, CURLcode& rc) {
  CURL* h = easy_.get();
  curl_easy_reset(h);
  storage::apply_common_options(h, curl_settings_, errbuf_);
  errbuf_[0] = 0;
  Response resp;
  Exchange x{.req = &req, .resp = &resp, .upload = req.body};
  std::string url = request_url(cfg_, req.key, req.query);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  // Keys such as "a/../b" or "a/./b" are names, not paths to normalize.
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  std::string sigv4 = "aws:amz:" + cfg_.region + ":s3";
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(h, CURLOPT_USERNAME, cfg_.credentials.access_key_id.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, cfg_.credentials.secret_access_key.c_str());

  storage::SList headers;
  // libcurl 7.88 signs this header's value as the payload hash (it hashes no streamed body
  // itself); the server checks it against the bytes it receives.
  headers.append("x-amz-content-sha256: " + sha256_hex(req.body));
  if (!cfg_.credentials.session_token.empty())
    headers.append("x-amz-security-token: " + cfg_.credentials.session_token);
  for (const auto& [k, v] : req.headers) {
    if (!safe_header_text(k) || !safe_header_text(v))
      throw S3Error(ErrorKind::kLocal, "a request header holds a line break: " + k);
    headers.append(k + ": " + v);
  }
  if (req.method == "PUT" || req.method == "POST") {
    // libcurl asks "Expect: 100-continue" for bodies over 1 MiB and waits a round trip before
    // sending; every body here is in memory and at most a part, so a refusal costs only its
    // resend, while the wait costs every request.
    headers.append("Expect:");
    bool has_type = std::any_of(req.headers.begin(), req.headers.end(), [](const auto& kv) {
      return strcasecmp(kv.first.c_str(), "content-type") == 0;
    });
    if (!has_type) headers.append(req.method == "POST" ? "Content-Type: application/xml" : "Content-Type: application/octet-stream");
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &x);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &x);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (req.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  rc = curl_easy_perform(h);
  if (x.sink_error) std::rethrow_exception(x.sink_error);
  if (x.sink_failed) throw S3Error(ErrorKind::kLocal, "the destination refused the downloaded bytes");
  if (x.too_big) throw S3Error(ErrorKind::kProtocol, fmt::format("the answer is larger than {} bytes", kMaxBufferedBody));
  if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

Response Transport::call(std::string_view context, const std::function<Request()>& build, const AnswerCheck& check) {
  storage::RetryPolicy pol = policy();
  for (int attempt = 0;; ++attempt) {
    CURLcode rc = CURLE_OK;
    Request req = build();
    Response resp = once(req, rc);
    bool last = attempt >= pol.max_retries;
    std::string after = attempt ? fmt::format(" (after {} attempts)", attempt + 1) : "";
    std::optional<std::chrono::milliseconds> retry_after;
    if (rc != CURLE_OK) {
      std::string why = fmt::format("{}{}{}", curl_easy_strerror(rc), errbuf_[0] ? ": " : "", errbuf_);
      if (!storage::RetryPolicy::retryable_curl(rc) || last)
        throw S3Error(ErrorKind::kTransport,
                      redact(fmt::format("{}: no answer from {}: {}{}", context, request_host(cfg_), why, after)));
    } else if (!resp.ok()) {
      ApiError e = parse_error_body(resp.status, resp.body);
      if (!retryable(e) || last) return resp;
      retry_after = storage::parse_retry_after(resp.header("retry-after"));
    } else if (std::optional<Problem> p = check ? check(resp) : std::nullopt) {
      if (!p->retry || last) {
        if (p->api) {
          S3Error err = error_from_api(context, *p->api);
          throw S3Error(err.kind(), redact(err.what() + after), *p->api);
        }
        throw S3Error(p->kind, redact(fmt::format("{}: {}{}", context, p->why, after)));
      }
    } else {
      return resp;
    }
    std::this_thread::sleep_for(pol.delay(attempt + 1, retry_after, rng_()));
  }
}

S3Error error_from_response(std::string_view context, const Response& r, const Transport& t) {
  ApiError e = parse_error_body(r.status, r.body);
  S3Error err = error_from_api(context, e);
  return S3Error(err.kind(), t.redact(err.what()), e);
}

}  // namespace crm::s3
