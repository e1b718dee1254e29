// The multipart upload requests: create, upload a part, complete, abort.
#include <fmt/format.h>

#include "s3/client.hpp"
#include "s3/digest.hpp"

namespace crm::s3 {

namespace {

std::string hex_to_raw(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// S3 answers 200 to CompleteMultipartUpload before the work is done and reports a late failure
// in the body, so a 200 is only good once the body is a result.
std::optional<Problem> error_in_body(const Response& resp) {
  if (!is_error_document(resp.body)) return std::nullopt;
  ApiError e = parse_error_body(resp.status, resp.body);
  return Problem{e.describe(), retryable(e), e, kind_of(e)};
}

}  // namespace

std::string multipart_etag(const std::vector<std::string>& part_md5_hex) {
  std::string joined;
  for (const auto& h : part_md5_hex) joined += hex_to_raw(h);
  return md5_hex(joined) + "-" + std::to_string(part_md5_hex.size());
}

std::string Client::create_multipart_upload(const std::string& key, const PutOptions& opts) {
  std::string context = "create_multipart_upload " + key;
  Response r = transport_.call(context, [&] {
    Request q{.method = "POST", .key = key, .query = {{"uploads", ""}}};
    q.headers = {{"Content-Type", opts.content_type}};
    return q;
  });
  if (!r.ok()) throw error_from_response(context, r, transport_);
  return parse_upload_id(r.body);
}

std::string upload_part_on(Transport& t, const std::string& key, const std::string& upload_id, int part_number,
                           std::string_view bytes, std::string* md5_hex_out) {
  std::string context = fmt::format("upload_part {} part {}", key, part_number);
  const Md5Forms digests = md5_forms(bytes);
  const std::string& md5 = digests.hex;
  const std::string& md5_b64 = digests.base64;
  if (md5_hex_out) *md5_hex_out = md5;
  bool check = t.config().check_md5_etag;
  Response r = t.call(
      context,
      [&] {
        Request q{.method = "PUT", .key = key, .body = bytes};
        q.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
        q.headers = {{"Content-MD5", md5_b64}};
        return q;
      },
      [&](const Response& resp) -> std::optional<Problem> {
        std::string etag = unquote_etag(resp.header("etag"));
        if (etag.empty()) return Problem{"the answer has no ETag"};
        if (check && etag != md5)
          return Problem{fmt::format("the server's ETag '{}' is not the MD5 '{}' of the {} bytes sent", etag, md5,
                                     bytes.size())};
        return std::nullopt;
      });
  if (!r.ok()) throw error_from_response(context, r, t);
  return r.header("etag");
}

std::string Client::upload_part(const std::string& key, const std::string& upload_id, int part_number,
                                std::string_view bytes) {
  return upload_part_on(transport_, key, upload_id, part_number, bytes);
}

std::string Client::complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                              const std::vector<CompletedPart>& parts) {
  std::string context = fmt::format("complete_multipart_upload {} ({} parts)", key, parts.size());
  std::string body = complete_multipart_body(parts);
  Response r = transport_.call(
      context,
      [&] { return Request{.method = "POST", .key = key, .query = {{"uploadId", upload_id}}, .body = body}; },
      error_in_body);
  if (!r.ok()) throw error_from_response(context, r, transport_);
  try {
    return parse_complete_etag(r.body);
  } catch (const S3Error& e) {
    throw S3Error(e.kind(), context + ": " + e.what());
  }
}

void Client::abort_multipart_upload(const std::string& key, const std::string& upload_id) {
  std::string context = "abort_multipart_upload " + key;
  Response r = transport_.call(context, [&] {
    return Request{.method = "DELETE", .key = key, .query = {{"uploadId", upload_id}}};
  });
  // NoSuchUpload: already aborted or completed by an earlier attempt whose answer was lost.
  if (!r.ok() && r.status != 404) throw error_from_response(context, r, transport_);
}

}  // namespace crm::s3
