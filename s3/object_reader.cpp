// get_object: the body streamed to the caller's sink, resumed with a Range request after a
// dropped connection (If-Match the first answer's ETag, so a replaced object is not spliced),
// and checked for length.
#include <charconv>

#include <fmt/format.h>

#include "s3/client.hpp"
#include "s3/digest.hpp"

namespace crm::s3 {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

struct ContentRange {
  std::uint64_t first = 0;
  std::optional<std::uint64_t> total;
};

// "bytes 100-199/1000" (total may be "*").
std::optional<ContentRange> parse_content_range(std::string_view v) {
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  std::size_t dash = v.find('-'), slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  auto first = parse_u64(v.substr(0, dash));
  if (!first) return std::nullopt;
  ContentRange r{*first, parse_u64(v.substr(slash + 1))};
  return r;
}

}  // namespace

GetResult Client::get_object(const std::string& key, const ByteSink& sink, const GetOptions& opts) {
  std::string context = "get_object " + key;
  GetResult out;
  std::optional<std::uint64_t> window_end;  // one past the last byte wanted, once known
  if (opts.length) window_end = opts.offset + *opts.length;
  std::uint64_t body_pos = 0;    // where the current answer's next byte sits in the object
  bool attempt_started = false;  // the current answer's first byte was seen

  auto build = [&] {
    attempt_started = false;
    Request q{.method = "GET", .key = key};
    std::uint64_t from = opts.offset + out.bytes;
    if (from > 0 || opts.length)
      q.headers.emplace_back("Range", window_end ? fmt::format("bytes={}-{}", from, *window_end - 1)
                                                 : fmt::format("bytes={}-", from));
    if (!out.etag.empty()) q.headers.emplace_back("If-Match", "\"" + out.etag + "\"");
    return q;
  };
  auto on_first_byte = [&](const Response& r) {
    attempt_started = true;
    std::string etag = unquote_etag(r.header("etag"));
    if (out.etag.empty()) out.etag = etag;
    else if (!etag.empty() && etag != out.etag)
      throw S3Error(ErrorKind::kIntegrity, fmt::format("{}: the object changed while it was read (ETag {} then {})",
                                                       context, out.etag, etag));
    // Some servers answer a range with 200 and a Content-Range: the header says where the body starts.
    if (r.status == 206 || !r.header("content-range").empty()) {
      auto cr = parse_content_range(r.header("content-range"));
      if (!cr) throw S3Error(ErrorKind::kProtocol, context + ": a partial answer without a valid Content-Range");
      body_pos = cr->first;
      if (cr->total) out.object_size = *cr->total;
    } else {
      body_pos = 0;  // the server ignored Range: the body starts at the object's first byte
      if (auto len = parse_u64(r.header("content-length"))) out.object_size = *len;
    }
    if (opts.expected_size && out.object_size && out.object_size != *opts.expected_size)
      throw S3Error(ErrorKind::kIntegrity, fmt::format("{}: the object is {} bytes, {} were expected", context,
                                                       out.object_size, *opts.expected_size));
    if (!window_end && out.object_size) window_end = out.object_size;
  };

  Response r = transport_.call(
      context,
      [&] {
        Request q = build();
        q.sink = [&](const Response& head, std::string_view data) {
          if (!attempt_started) on_first_byte(head);
          std::uint64_t want = opts.offset + out.bytes;  // the next byte the caller needs
          std::uint64_t end = body_pos + data.size();
          if (end > want) {
            std::uint64_t skip = want > body_pos ? want - body_pos : 0;
            if (body_pos > want) throw S3Error(ErrorKind::kProtocol, context + ": the server skipped bytes");
            std::uint64_t stop = window_end ? std::min(end, *window_end) : end;
            if (stop > want) {
              sink(data.substr(static_cast<std::size_t>(skip), static_cast<std::size_t>(stop - want)));
              out.bytes += stop - want;
            }
          }
          body_pos = end;
          return true;
        };
        return q;
      },
      [&](const Response& resp) -> std::optional<Problem> {
        if (!attempt_started) on_first_byte(resp);  // an empty body never reached the sink
        std::uint64_t have = opts.offset + out.bytes;
        if (window_end && have < *window_end)
          return Problem{fmt::format("short read: {} of {} bytes", out.bytes, *window_end - opts.offset)};
        return std::nullopt;
      });
  // 416 for a range starting at the object's end: nothing to read, not an error.
  if (r.status == 416 && opts.offset > 0 && out.bytes == 0) return out;
  if (!r.ok()) throw error_from_response(context, r, transport_);
  if (opts.expected_size && out.object_size == 0 && *opts.expected_size != 0 && opts.offset == 0 && !opts.length &&
      out.bytes != *opts.expected_size)
    throw S3Error(ErrorKind::kIntegrity,
                  fmt::format("{}: read {} bytes, {} were expected", context, out.bytes, *opts.expected_size));
  return out;
}

}  // namespace crm::s3
