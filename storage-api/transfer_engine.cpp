#include "storage-api/transfer_engine.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <queue>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "storage-api/client.hpp"
#include "storage-api/curl_handles.hpp"
#include "storage-api/errors.hpp"
#include "storage-api/retry_policy.hpp"

namespace crm::storage {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kNoJob = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxErrorBody = 64 * 1024;

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

// One easy handle and everything one transfer needs; reused for job after job.
struct Slot {
  Easy easy;
  char errbuf[CURL_ERROR_SIZE] = {};
  SList headers;
  std::size_t job = kNoJob;
  long http = 0;
  std::string body;  // error bodies and upload answers
  std::string content_type, cache_control, etag, last_modified;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string local_error;
  // download
  int fd = -1;
  bool discard = false;
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> xxh{XXH3_createState(), &XXH3_freeState};
  std::uint64_t bytes = 0;
  // upload
  int in_fd = -1;
  std::uint64_t in_off = 0, in_size = 0;
  const TransferObserver* observer = nullptr;

  void clear_response() {
    http = 0;
    body.clear();
    content_type.clear();
    cache_control.clear();
    etag.clear();
    last_modified.clear();
    retry_after.reset();
    local_error.clear();
    errbuf[0] = 0;
  }
};

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

std::size_t on_download(char* p, std::size_t sz, std::size_t n, void* ud) {
  auto* s = static_cast<Slot*>(ud);
  std::size_t len = sz * n;
  if (s->http == 0) curl_easy_getinfo(s->easy.get(), CURLINFO_RESPONSE_CODE, &s->http);
  if (s->http != 200) return on_body_text(p, sz, n, ud);
  if (!s->discard) {
    const char* q = p;
    std::size_t left = len;
    while (left > 0) {
      ssize_t w = ::write(s->fd, q, left);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        s->local_error = std::string("cannot write the downloaded bytes: ") + std::strerror(errno);
        return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
      }
      q += w;
      left -= static_cast<std::size_t>(w);
    }
  }
  XXH3_128bits_update(s->xxh.get(), p, len);
  s->bytes += len;
  if (s->observer && s->observer->on_bytes) s->observer->on_bytes(len);
  return len;
}

std::size_t on_upload_read(char* p, std::size_t sz, std::size_t n, void* ud) {
  auto* s = static_cast<Slot*>(ud);
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(sz * n, s->in_size - s->in_off));
  if (want == 0) return 0;
  ssize_t r;
  do {
    r = ::pread(s->in_fd, p, want, static_cast<off_t>(s->in_off));
  } while (r < 0 && errno == EINTR);
  if (r <= 0) {
    s->local_error = r < 0 ? std::string("cannot read the file: ") + std::strerror(errno)
                           : std::string("the file shrank while it was being uploaded");
    return CURL_READFUNC_ABORT;
  }
  s->in_off += static_cast<std::uint64_t>(r);
  if (s->observer && s->observer->on_bytes) s->observer->on_bytes(static_cast<std::uint64_t>(r));
  return static_cast<std::size_t>(r);
}

int on_upload_seek(void* ud, curl_off_t offset, int origin) {
  auto* s = static_cast<Slot*>(ud);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  s->in_off = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

struct Verdict {
  enum Kind { kOk, kRetry, kFail, kFatal } kind = kOk;
  std::string why;
  ApiError api;
};

// The loop shared by downloads and uploads; subclasses say how to start and finish one job.
class Engine {
 public:
  Engine(const StorageConfig& cfg, std::size_t jobs, const TransferObserver& obs)
      : cfg_(cfg), observer_(obs), attempts_(jobs, 0), policy_{cfg.max_retries,
                                                                 std::chrono::milliseconds(cfg.retry_base_ms),
                                                                 std::chrono::milliseconds(cfg.retry_max_ms)} {
    append_auth_headers(auth_, cfg.service_key);
    auth_.append("Expect:");
  }
  virtual ~Engine() = default;

  void run(std::size_t jobs);

 protected:
  virtual bool start(Slot& s, std::size_t job) = 0;  // false: s.local_error says why
  virtual Verdict finish(Slot& s, std::size_t job, CURLcode rc) = 0;
  virtual void give_up(Slot& s, std::size_t job, const std::string& why) = 0;
  virtual void release(Slot& s, bool success) = 0;  // close files; remove partial ones unless success
  virtual const std::string& name_of(std::size_t job) const = 0;

  Verdict classify(Slot& s, CURLcode rc) const;
  void prepare_easy(Slot& s, const std::string& url);

  const StorageConfig& cfg_;
  const TransferObserver& observer_;
  SList auth_;
  std::vector<int> attempts_;
  RetryPolicy policy_;
};

Verdict Engine::classify(Slot& s, CURLcode rc) const {
  if (rc != CURLE_OK) {
    if (!s.local_error.empty()) return {Verdict::kFail, s.local_error, {}};
    std::string why = fmt::format("{}{}{}", curl_easy_strerror(rc), s.errbuf[0] ? ": " : "", s.errbuf);
    return {RetryPolicy::retryable_curl(rc) ? Verdict::kRetry : Verdict::kFail, redact(why, cfg_.service_key), {}};
  }
  if (s.http == 0) curl_easy_getinfo(s.easy.get(), CURLINFO_RESPONSE_CODE, &s.http);
  if (s.http < 200 || s.http > 299) {
    ApiError e = parse_error_body(s.http, s.body);
    if (is_key_rejected(e)) return {Verdict::kFatal, key_rejected_message(e), e};
    return {RetryPolicy::retryable_status(e) ? Verdict::kRetry : Verdict::kFail, redact(e.describe(), cfg_.service_key),
            e};
  }
  return {Verdict::kOk, {}, {}};
}

void Engine::prepare_easy(Slot& s, const std::string& url) {
  CURL* h = s.easy.get();
  curl_easy_reset(h);
  apply_common_options(h, cfg_, s.errbuf);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PRIVATE, &s);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
  if (url.starts_with("https://")) curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
  s.observer = &observer_;
  s.clear_response();
}

void Engine::run(std::size_t jobs) {
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
      release(*s, false);
      s->job = kNoJob;
    }
  };

  try {
    while (!fatal) {
      auto now = Clock::now();
      while (!waiting.empty() && waiting.top().first <= now) {
        ready.push_back(waiting.top().second);
        waiting.pop();
      }
      while (!idle.empty() && !ready.empty()) {
        std::size_t job = ready.front();
        ready.pop_front();
        Slot* s = idle.back();
        ++attempts_[job];
        s->job = job;
        if (!start(*s, job)) {
          give_up(*s, job, s->local_error);
          release(*s, false);
          s->job = kNoJob;
          if (observer_.on_done) observer_.on_done(name_of(job), false);
          continue;
        }
        idle.pop_back();
        curl_multi_add_handle(multi.get(), s->easy.get());
        ++active;
      }
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
        Verdict v = finish(*s, job, rc);
        if (v.kind == Verdict::kRetry && attempts_[job] > policy_.max_retries) {
          v.kind = Verdict::kFail;
          v.why = fmt::format("{} (gave up after {} attempts)", v.why, attempts_[job]);
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
  if (fatal) throw StorageError(ErrorKind::kKeyRejected, redact(fatal->why, cfg_.service_key), fatal->api);
}

class Downloader final : public Engine {
 public:
  Downloader(const StorageConfig& cfg, const std::vector<DownloadJob>& jobs, const TransferObserver& obs)
      : Engine(cfg, jobs.size(), obs), jobs_(jobs), results_(jobs.size()) {
    for (std::size_t i = 0; i < jobs.size(); ++i) results_[i].name = jobs[i].name;
  }
  std::vector<DownloadResult> take() { return std::move(results_); }

 private:
  static std::filesystem::path partial(const DownloadJob& j) {
    std::filesystem::path p = j.dest;
    p += ".partial";
    return p;
  }

  bool start(Slot& s, std::size_t job) override {
    const DownloadJob& j = jobs_[job];
    prepare_easy(s, object_url(cfg_, "authenticated", j.name));
    s.bytes = 0;
    XXH3_128bits_reset(s.xxh.get());
    s.discard = j.dest.empty();
    if (!s.discard) {
      s.fd = ::open(partial(j).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (s.fd < 0 || ::fchmod(s.fd, 0600) != 0) {
        s.local_error = errno_text("create", partial(j));
        return false;
      }
    }
    CURL* h = s.easy.get();
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, auth_.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_download);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    return true;
  }

  Verdict finish(Slot& s, std::size_t job, CURLcode rc) override {
    Verdict v = classify(s, rc);
    if (v.kind != Verdict::kOk) return v;
    const DownloadJob& j = jobs_[job];
    if (j.expected_size && s.bytes != *j.expected_size)
      return {Verdict::kRetry,
              fmt::format("received {} bytes but the listing says {} (short body or the object changed)", s.bytes,
                          *j.expected_size),
              {}};
    if (!s.discard) {
      if (::close(s.fd) != 0) {
        s.fd = -1;
        return {Verdict::kFail, errno_text("close", partial(j)), {}};
      }
      s.fd = -1;
      if (::rename(partial(j).c_str(), j.dest.c_str()) != 0)
        return {Verdict::kFail, errno_text("rename to " + j.dest.string() + ":", partial(j)), {}};
    }
    DownloadResult& r = results_[job];
    r.ok = true;
    r.size = s.bytes;
    r.xxh3_128 = hex128(XXH3_128bits_digest(s.xxh.get()));
    r.content_type = s.content_type;
    r.cache_control = s.cache_control;
    r.etag = s.etag;
    r.last_modified = s.last_modified;
    r.attempts = attempts_[job];
    r.error.clear();
    return v;
  }

  void give_up(Slot&, std::size_t job, const std::string& why) override {
    results_[job].ok = false;
    results_[job].attempts = attempts_[job];
    results_[job].error = why;
  }

  void release(Slot& s, bool success) override {
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    if (!success && s.job != kNoJob && !jobs_[s.job].dest.empty()) ::unlink(partial(jobs_[s.job]).c_str());
  }

  const std::string& name_of(std::size_t job) const override { return jobs_[job].name; }

  const std::vector<DownloadJob>& jobs_;
  std::vector<DownloadResult> results_;
};

bool has_line_break(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

class Uploader final : public Engine {
 public:
  Uploader(const StorageConfig& cfg, const std::vector<UploadJob>& jobs, const TransferObserver& obs)
      : Engine(cfg, jobs.size(), obs), jobs_(jobs), results_(jobs.size()) {
    for (std::size_t i = 0; i < jobs.size(); ++i) results_[i].name = jobs[i].name;
  }
  std::vector<UploadResult> take() { return std::move(results_); }

 private:
  bool start(Slot& s, std::size_t job) override {
    const UploadJob& j = jobs_[job];
    prepare_easy(s, object_url(cfg_, "", j.name));
    if (has_line_break(j.content_type) || has_line_break(j.cache_control)) {
      s.local_error = "the recorded content type or cache-control contains a line break";
      return false;
    }
    s.in_fd = ::open(j.src.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (s.in_fd < 0 || ::fstat(s.in_fd, &st) != 0) {
      s.local_error = errno_text("open", j.src);
      return false;
    }
    s.in_off = 0;
    s.in_size = static_cast<std::uint64_t>(st.st_size);
    s.headers = SList();
    append_auth_headers(s.headers, cfg_.service_key);
    s.headers.append("Expect:");
    s.headers.append("x-upsert: true");
    s.headers.append("Content-Type: " + (j.content_type.empty() ? std::string("application/octet-stream") : j.content_type));
    s.headers.append("Cache-Control: " + (j.cache_control.empty() ? std::string("no-cache") : j.cache_control));
    CURL* h = s.easy.get();
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, s.headers.get());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &s);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_upload_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &s);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(s.in_size));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body_text);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    return true;
  }

  Verdict finish(Slot& s, std::size_t job, CURLcode rc) override {
    Verdict v = classify(s, rc);
    if (v.kind != Verdict::kOk) return v;
    UploadResult& r = results_[job];
    r.ok = true;
    r.size = s.in_size;
    r.attempts = attempts_[job];
    r.error.clear();
    return v;
  }

  void give_up(Slot&, std::size_t job, const std::string& why) override {
    results_[job].ok = false;
    results_[job].attempts = attempts_[job];
    results_[job].error = why;
  }

  void release(Slot& s, bool) override {
    if (s.in_fd >= 0) ::close(s.in_fd);
    s.in_fd = -1;
  }

  const std::string& name_of(std::size_t job) const override { return jobs_[job].name; }

  const std::vector<UploadJob>& jobs_;
  std::vector<UploadResult> results_;
};

}  // namespace

std::vector<DownloadResult> download_objects(const StorageConfig& cfg, const std::vector<DownloadJob>& jobs,
                                             const TransferObserver& observer) {
  Downloader d(cfg, jobs, observer);
  d.run(jobs.size());
  return d.take();
}

std::vector<UploadResult> upload_objects(const StorageConfig& cfg, const std::vector<UploadJob>& jobs,
                                         const TransferObserver& observer) {
  Uploader u(cfg, jobs, observer);
  u.run(jobs.size());
  return u.take();
}

}  // namespace crm::storage
