#include "storage-api/transfer_loop.hpp"

#include "storage-api/cancel.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <queue>
#include <random>
#include <system_error>
#include <thread>

#include <fmt/format.h>

namespace crm::storage::detail {
namespace {
using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxErrorBody = 64 * 1024;
}  // namespace

std::string hex128(XXH128_hash_t h) {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[c.digest[i] >> 4];
    out[2 * i + 1] = kHex[c.digest[i] & 15];
  }
  return out;
}


std::string errno_text(const std::string& what, const std::filesystem::path& p) {
  return fmt::format("cannot {} {}: {}", what, p.string(), std::strerror(errno));
}


bool is_disk_full(int err) { return err == ENOSPC || err == EDQUOT; }

Verdict local_failure(int err, const std::string& what, const std::filesystem::path& p) {
  errno = err;
  if (!is_disk_full(err)) return {Verdict::kFail, errno_text(what, p), {}, {}};
  std::string msg = fmt::format("cannot {} {}", what, p.string());
  return {Verdict::kFatal, msg + ": " + std::strerror(err), {},
          std::make_exception_ptr(std::system_error(err, std::generic_category(), msg))};
}


std::size_t on_header(char* p, std::size_t sz, std::size_t n, void* ud) {
  auto* s = static_cast<Slot*>(ud);
  std::string_view line(p, sz * n);
  if (line.starts_with("HTTP/")) {  // a new response (after 100-continue): forget the last one's headers
    s->content_type.clear();
    s->cache_control.clear();
    s->etag.clear();
    s->last_modified.clear();
    s->retry_after.reset();
    return sz * n;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return sz * n;
  std::string key(line.substr(0, colon));
  for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string_view v = line.substr(colon + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  if (key == "content-type") s->content_type = v;
  else if (key == "cache-control") s->cache_control = v;
  else if (key == "etag") s->etag = v;
  else if (key == "last-modified") s->last_modified = v;
  else if (key == "retry-after") s->retry_after = parse_retry_after(v);
  return sz * n;
}


std::size_t on_body_text(char* p, std::size_t sz, std::size_t n, void* ud) {
  auto* s = static_cast<Slot*>(ud);
  std::size_t len = sz * n;
  if (s->body.size() < kMaxErrorBody) s->body.append(p, std::min(len, kMaxErrorBody - s->body.size()));
  return len;
}


Verdict TransferLoop::classify(Slot& s, CURLcode rc) const {
  if (rc != CURLE_OK) {
    if (!s.local_error.empty()) return {Verdict::kFail, s.local_error, {}, {}};
    std::string why = fmt::format("{}{}{}", curl_easy_strerror(rc), s.errbuf[0] ? ": " : "", s.errbuf);
    return {RetryPolicy::retryable_curl(rc) ? Verdict::kRetry : Verdict::kFail, redact(why, cfg_.service_key), {}, {}};
  }
  if (s.http == 0) curl_easy_getinfo(s.easy.get(), CURLINFO_RESPONSE_CODE, &s.http);
  if (s.http < 200 || s.http > 299) {
    ApiError e = parse_error_body(s.http, s.body);
    if (is_key_rejected(e)) {
      std::string why = redact(key_rejected_message(e), cfg_.service_key);
      return {Verdict::kFatal, why, e, std::make_exception_ptr(StorageError(ErrorKind::kKeyRejected, why, e))};
    }
    return {RetryPolicy::retryable_status(e) ? Verdict::kRetry : Verdict::kFail, redact(e.describe(), cfg_.service_key),
            e, {}};
  }
  return {Verdict::kOk, {}, {}, {}};
}

void TransferLoop::prepare_easy(Slot& s, const std::string& url) {
  CURL* h = s.easy.get();
  curl_easy_reset(h);
  apply_common_options(h, cfg_, s.errbuf);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PRIVATE, &s);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
  if (url.starts_with("https://")) curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
  s.observer = &observer_;
  s.reported = 0;
  s.clear_response();
}

void TransferLoop::run(std::size_t jobs) {
  Multi multi;
  std::size_t width = static_cast<std::size_t>(std::max(1, cfg_.transfers));
  curl_multi_setopt(multi.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(width));
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(width));
  std::vector<std::unique_ptr<Slot>> slots;
  std::vector<Slot*> idle;
  for (std::size_t i = 0; i < std::min(width, std::max<std::size_t>(jobs, 1)); ++i) {
    slots.push_back(std::make_unique<Slot>());
    idle.push_back(slots.back().get());
  }
  std::deque<std::size_t> ready;
  for (std::size_t j = 0; j < jobs; ++j) ready.push_back(j);
  using Due = std::pair<Clock::time_point, std::size_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> waiting;
  std::mt19937_64 rng{std::random_device{}()};
  std::size_t active = 0;
  std::optional<Verdict> fatal;

  auto stop_all = [&] {
    for (auto& s : slots) {
      if (s->job == kNoJob) continue;
      curl_multi_remove_handle(multi.get(), s->easy.get());
      s->rewind_to(0);
      release(*s, false);
      s->job = kNoJob;
    }
  };

  auto cancelled = [&] {
    Verdict v;
    v.kind = Verdict::kFatal;
    v.why = "cancelled";
    v.fatal = std::make_exception_ptr(StorageError(ErrorKind::kCancelled, "the transfers were cancelled"));
    return v;
  };

  try {
    while (!fatal) {
      if (cancel_requested(cfg_)) {
        fatal = cancelled();
        break;
      }
      auto now = Clock::now();
      while (!waiting.empty() && waiting.top().first <= now) {
        ready.push_back(waiting.top().second);
        waiting.pop();
      }
      while (!idle.empty() && !ready.empty()) {
        std::size_t job = ready.front();
        ready.pop_front();
        Slot* s = idle.back();
        if (attempts_[job]++ == 0) first_try_[job] = Clock::now();
        s->job = job;
        if (std::optional<Verdict> refused = start(*s, job)) {
          release(*s, false);
          s->job = kNoJob;
          if (refused->kind == Verdict::kFatal) {
            fatal = std::move(refused);
            break;
          }
          give_up(*s, job, refused->why);
          if (observer_.on_done) observer_.on_done(name_of(job), false);
          continue;
        }
        idle.pop_back();
        curl_multi_add_handle(multi.get(), s->easy.get());
        ++active;
      }
      if (fatal) break;
      if (active == 0 && ready.empty() && waiting.empty()) break;

      int running = 0;
      curl_multi_perform(multi.get(), &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Slot* s = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&s));
        CURLcode rc = msg->data.result;
        curl_multi_remove_handle(multi.get(), s->easy.get());
        --active;
        std::size_t job = s->job;
        // Aborted by the cancel check, not a fault of this object: no retry, no failure line.
        Verdict v = rc == CURLE_ABORTED_BY_CALLBACK && cancel_requested(cfg_) ? cancelled() : finish(*s, job, rc);
        if (v.kind != Verdict::kOk) s->rewind_to(0);
        if (v.kind == Verdict::kRetry && attempts_[job] > policy_.max_retries) {
          v.kind = Verdict::kFail;
          v.why += gave_up_note(attempts_[job], Clock::now() - first_try_[job], policy_.max_retries);
        }
        switch (v.kind) {
          case Verdict::kOk:
            release(*s, true);
            if (observer_.on_done) observer_.on_done(name_of(job), true);
            break;
          case Verdict::kRetry:
            release(*s, false);
            if (observer_.on_retry) observer_.on_retry(name_of(job), v.why);
            waiting.push({Clock::now() + policy_.delay(attempts_[job], s->retry_after, rng()), job});
            break;
          case Verdict::kFail:
            give_up(*s, job, v.why);
            release(*s, false);
            if (observer_.on_done) observer_.on_done(name_of(job), false);
            break;
          case Verdict::kFatal:
            release(*s, false);
            fatal = v;
            break;
        }
        s->job = kNoJob;
        idle.push_back(s);
        if (fatal) break;
      }
      if (fatal) break;
      int timeout_ms = 1000;
      if (!waiting.empty()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(waiting.top().first - Clock::now());
        timeout_ms = static_cast<int>(std::clamp<std::int64_t>(until.count(), 0, 1000));
      }
      if (!ready.empty() && !idle.empty()) timeout_ms = 0;
      if (cfg_.cancelled) timeout_ms = std::min(timeout_ms, 100);  // a backoff wait must not delay a cancel
      if (active > 0) {
        curl_multi_poll(multi.get(), nullptr, 0, timeout_ms, nullptr);
      } else if (timeout_ms > 0 && !waiting.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
      }
    }
  } catch (...) {
    stop_all();
    throw;
  }
  stop_all();
  if (fatal) std::rethrow_exception(fatal->fatal);
}


}  // namespace crm::storage::detail
