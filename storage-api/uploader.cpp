// Uploads: the file streamed with pread, upsert, the recorded content type and cache-control.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage-api/client.hpp"
#include "storage-api/transfer_loop.hpp"

namespace crm::storage {
namespace {
using namespace detail;

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
  // libcurl may rewind and send again within one attempt (seek callback): count bytes once.
  if (s->in_off > s->reported) s->report_bytes(s->in_off - s->reported);
  return static_cast<std::size_t>(r);
}


int on_upload_seek(void* ud, curl_off_t offset, int origin) {
  auto* s = static_cast<Slot*>(ud);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  s->in_off = static_cast<std::uint64_t>(offset);
  s->rewind_to(s->in_off);
  return CURL_SEEKFUNC_OK;
}


bool has_line_break(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }


class Uploader final : public TransferLoop {
 public:
  Uploader(const StorageConfig& cfg, const std::vector<UploadJob>& jobs, const TransferObserver& obs)
      : TransferLoop(cfg, jobs.size(), obs), jobs_(jobs), results_(jobs.size()) {
    for (std::size_t i = 0; i < jobs.size(); ++i) results_[i].name = jobs[i].name;
  }
  std::vector<UploadResult> take() { return std::move(results_); }

 private:
  std::optional<Verdict> start(Slot& s, std::size_t job) override {
    const UploadJob& j = jobs_[job];
    prepare_easy(s, object_url(cfg_, "", j.name));
    if (has_line_break(j.content_type) || has_line_break(j.cache_control))
      return Verdict{Verdict::kFail, "the recorded content type or cache-control contains a line break", {}, {}};
    s.in_fd = ::open(j.src.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (s.in_fd < 0 || ::fstat(s.in_fd, &st) != 0) return local_failure(errno, "open", j.src);
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
    return std::nullopt;
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

std::vector<UploadResult> upload_objects(const StorageConfig& cfg, const std::vector<UploadJob>& jobs,
                                         const TransferObserver& observer) {
  Uploader u(cfg, jobs, observer);
  u.run(jobs.size());
  return u.take();
}


}  // namespace crm::storage
