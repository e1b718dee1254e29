// Single-object requests: PUT, HEAD, DELETE, COPY.
#include <charconv>

#include <fmt/format.h>

#include "s3/client.hpp"
#include "s3/digest.hpp"
#include "storage-api/url.hpp"

namespace crm::s3 {

Client::Client(const S3Config& cfg) : transport_(cfg) {}

PutResult Client::put_object(const std::string& key, std::string_view bytes, const PutOptions& opts) {
  std::string context = "put_object " + key;
  const Md5Forms digests = md5_forms(bytes);
  const std::string& md5 = digests.hex;
  const std::string& md5_b64 = digests.base64;
  bool check = config().check_md5_etag;
  Response r = transport_.call(
      context,
      [&] {
        Request q{.method = "PUT", .key = key, .body = bytes};
        q.headers = {{"Content-Type", opts.content_type}, {"Content-MD5", md5_b64}};
        if (opts.if_none_match) q.headers.emplace_back("If-None-Match", "*");
        return q;
      },
      [&](const Response& resp) -> std::optional<Problem> {
        std::string etag = unquote_etag(resp.header("etag"));
        if (check && etag != md5)
          return Problem{fmt::format("the server's ETag '{}' is not the MD5 '{}' of the {} bytes sent", etag, md5,
                                     bytes.size())};
        return std::nullopt;
      });
  if (!r.ok()) throw error_from_response(context, r, transport_);
  return {unquote_etag(r.header("etag")), bytes.size(), 0};
}

std::optional<HeadResult> Client::head_object(const std::string& key) {
  std::string context = "head_object " + key;
  Response r = transport_.call(context, [&] { return Request{.method = "HEAD", .key = key}; });
  if (r.status == 404) return std::nullopt;
  if (!r.ok()) throw error_from_response(context, r, transport_);
  HeadResult h;
  std::string len = r.header("content-length");
  auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), h.size);
  if (len.empty() || ec != std::errc() || p != len.data() + len.size())
    throw S3Error(ErrorKind::kProtocol, context + ": the answer has no valid Content-Length");
  h.etag = unquote_etag(r.header("etag"));
  h.last_modified = r.header("last-modified");
  h.content_type = r.header("content-type");
  return h;
}

void Client::delete_object(const std::string& key) {
  std::string context = "delete_object " + key;
  Response r = transport_.call(context, [&] { return Request{.method = "DELETE", .key = key}; });
  if (!r.ok() && r.status != 404) throw error_from_response(context, r, transport_);
}

std::string Client::copy_object(const std::string& source_key, const std::string& dest_key) {
  std::string context = "copy_object " + source_key + " -> " + dest_key;
  std::string source = "/" + storage::percent_encode_segment(config().location.bucket) + "/" +
                       storage::encode_object_path(source_key);
  Response r = transport_.call(
      context,
      [&] {
        Request q{.method = "PUT", .key = dest_key};
        q.headers = {{"x-amz-copy-source", source}};
        return q;
      },
      [](const Response& resp) -> std::optional<Problem> {
        // S3 may fail a copy after answering 200: the error is then in the body.
        if (!is_error_document(resp.body)) return std::nullopt;
        ApiError e = parse_error_body(resp.status, resp.body);
        return Problem{e.describe(), retryable(e), e, kind_of(e)};
      });
  if (!r.ok()) throw error_from_response(context, r, transport_);
  return parse_copy_etag(r.body);
}

}  // namespace crm::s3
