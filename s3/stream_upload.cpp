// upload_stream: one PUT for a small stream, else a multipart upload with parts in flight on
// worker transports, aborted on any failure so no parts are left billed in the bucket.
#include <algorithm>
#include <deque>
#include <future>
#include <mutex>

#include <fmt/format.h>

#include "s3/client.hpp"
#include "s3/digest.hpp"
#include "s3/part_size.hpp"

namespace crm::s3 {
namespace {

// Fills buf with up to `want` bytes from the source; returns false at the end of the stream.
// The buffer grows as bytes come, from `first` (the expected rest of the stream, when known):
// a small file never costs a whole part's allocation and zero-filling.
bool fill(const ByteSource& source, std::string& buf, std::size_t want, std::size_t first) {
  buf.clear();
  std::size_t have = 0;
  while (have < want) {
    if (buf.size() == have) buf.resize(std::min(want, std::max({have * 2, first, std::size_t{64} << 10})));
    std::size_t n = source(buf.data() + have, buf.size() - have);
    if (n == 0) break;
    if (n > buf.size() - have) throw S3Error(ErrorKind::kLocal, "the upload source returned more bytes than asked for");
    have += n;
  }
  buf.resize(have);
  return have == want;
}

// Worker transports, each used by one part at a time.
class TransportPool {
 public:
  explicit TransportPool(const S3Config& cfg) : cfg_(cfg) {}
  std::unique_ptr<Transport> take() {
    std::lock_guard lock(mu_);
    if (free_.empty()) return std::make_unique<Transport>(cfg_);
    auto t = std::move(free_.back());
    free_.pop_back();
    return t;
  }
  void give(std::unique_ptr<Transport> t) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(t));
  }

 private:
  const S3Config& cfg_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Transport>> free_;
};

struct PartDone {
  std::string etag;
  std::string md5;
};

}  // namespace

PutResult Client::upload_stream(const std::string& key, const ByteSource& source,
                                std::optional<std::uint64_t> expected_size, const PutOptions& opts,
                                const UploadControl& control) {
  PartBudget* budget = control.budget;
  auto stop_if_asked = [&] {
    if (control.stopped && control.stopped())
      throw S3Error(ErrorKind::kLocal, "upload_stream " + key + ": stopped before it was complete");
  };
  const std::uint64_t part_size = choose_part_size(expected_size, config().part_size);
  // One byte more than expected, so a stream of exactly the expected size ends in one read.
  auto first_size = [&](std::uint64_t sent) -> std::size_t {
    if (!expected_size || *expected_size < sent) return 0;
    return static_cast<std::size_t>(std::min<std::uint64_t>(*expected_size - sent + 1, part_size));
  };
  std::string buf;
  if (!fill(source, buf, static_cast<std::size_t>(part_size), first_size(0))) {
    stop_if_asked();
    return put_object(key, buf, opts);
  }
  // A multipart upload cannot honour If-None-Match on every store; check existence first so
  // the create-only intent still holds where it can be checked.
  if (opts.if_none_match && head_object(key))
    throw S3Error(ErrorKind::kPreconditionFailed, "upload_stream " + key + ": the key already exists");

  std::string upload_id = create_multipart_upload(key, opts);
  TransportPool pool(config());
  struct InFlight {
    std::future<PartDone> done;
    bool from_budget = false;
  };
  std::deque<InFlight> in_flight;
  std::vector<CompletedPart> parts;
  std::vector<std::string> md5s;
  std::uint64_t total = 0;
  const std::size_t width = static_cast<std::size_t>(std::max(1, config().transfers));

  auto collect_oldest = [&] {
    InFlight f = std::move(in_flight.front());
    in_flight.pop_front();
    PartDone d;
    try {
      d = f.done.get();
    } catch (...) {
      if (f.from_budget) budget->give();
      throw;
    }
    if (f.from_budget) budget->give();
    parts.push_back({static_cast<int>(parts.size()) + 1, d.etag});
    md5s.push_back(d.md5);
  };
  // Room for one more part in flight: below the width, and beyond the first one a part of the
  // budget (when there is one); otherwise the oldest part must finish first.
  auto make_room = [&] {
    while (!in_flight.empty()) {
      if (in_flight.size() >= width) {
        collect_oldest();
        continue;
      }
      if (!budget) return false;
      if (budget->try_take()) return true;
      collect_oldest();
    }
    return false;
  };
  try {
    bool more = true;  // buf holds a full part and the stream may go on
    for (int number = 1;; ++number) {
      if (static_cast<std::uint64_t>(number) > kMaxParts)
        throw S3Error(ErrorKind::kLocal,
                      fmt::format("upload_stream {}: the stream is larger than {} parts of {} bytes", key, kMaxParts,
                                  part_size));
      total += buf.size();
      stop_if_asked();
      bool from_budget = make_room();
      InFlight next{{}, from_budget};
      try {
        next.done = std::async(std::launch::async, [&pool, &key, &upload_id, number, p = std::move(buf)] {
          auto t = pool.take();
          PartDone d;
          d.etag = upload_part_on(*t, key, upload_id, number, p, &d.md5);
          pool.give(std::move(t));
          return d;
        });
      } catch (...) {
        if (from_budget) budget->give();
        throw;
      }
      in_flight.push_back(std::move(next));
      if (!more) break;
      buf = std::string();
      more = fill(source, buf, static_cast<std::size_t>(part_size), first_size(total));
      if (!more && buf.empty()) break;
    }
    while (!in_flight.empty()) collect_oldest();
    stop_if_asked();
    std::string etag = complete_multipart_upload(key, upload_id, parts);
    std::string expected = multipart_etag(md5s);
    // Only an ETag in S3's multipart form can be compared; other stores use their own.
    bool comparable = etag.size() > 33 && etag[32] == '-';
    if (config().check_md5_etag && comparable && etag != expected)
      throw S3Error(ErrorKind::kIntegrity,
                    fmt::format("upload_stream {}: the completed object's ETag '{}' is not '{}', computed from the "
                                "{} parts sent",
                                key, etag, expected, parts.size()));
    return {etag, total, static_cast<int>(parts.size())};
  } catch (...) {
    std::exception_ptr original = std::current_exception();
    for (auto& f : in_flight) {
      try {
        f.done.get();
      } catch (...) {  // the first failure is the one reported
      }
      if (f.from_budget) budget->give();
    }
    std::string abort_failure;
    try {
      abort_multipart_upload(key, upload_id);
    } catch (const std::exception& e) {
      abort_failure = e.what();
    }
    if (abort_failure.empty()) std::rethrow_exception(original);
    try {
      std::rethrow_exception(original);
    } catch (const S3Error& e) {
      throw S3Error(e.kind(),
                    fmt::format("{}; aborting the multipart upload {} failed too ({}): remove it with "
                                "AbortMultipartUpload or a lifecycle rule",
                                e.what(), upload_id, abort_failure),
                    e.api());
    }
  }
}

}  // namespace crm::s3
