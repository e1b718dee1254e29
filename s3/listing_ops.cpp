// ListObjectsV2 pages and DeleteObjects batches.
#include <algorithm>

#include <fmt/format.h>

#include "s3/client.hpp"
#include "s3/digest.hpp"

namespace crm::s3 {

ListPage Client::list_objects_v2(const std::string& prefix, const std::string& delimiter,
                                 const std::string& continuation_token, int max_keys) {
  std::string context = fmt::format("list_objects_v2 prefix '{}'", prefix);
  Response r = transport_.call(context, [&] {
    Request q{.method = "GET"};
    q.query = {{"list-type", "2"}, {"encoding-type", "url"}, {"max-keys", std::to_string(max_keys)}};
    if (!prefix.empty()) q.query.emplace_back("prefix", prefix);
    if (!delimiter.empty()) q.query.emplace_back("delimiter", delimiter);
    if (!continuation_token.empty()) q.query.emplace_back("continuation-token", continuation_token);
    return q;
  });
  if (!r.ok()) throw error_from_response(context, r, transport_);
  try {
    return parse_list_objects_v2(r.body);
  } catch (const S3Error& e) {
    throw S3Error(e.kind(), context + ": " + e.what());
  }
}

std::vector<ObjectInfo> Client::list_all(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  for (int page = 0;; ++page) {
    ListPage p = list_objects_v2(prefix, "", token);
    for (auto& o : p.objects) out.push_back(std::move(o));
    if (!p.truncated) break;
    if (p.next_continuation_token == token)
      throw S3Error(ErrorKind::kProtocol,
                    fmt::format("list_objects_v2 prefix '{}': the server repeated the continuation token", prefix));
    token = p.next_continuation_token;
  }
  return out;
}

DeleteOutcome Client::delete_objects(const std::vector<std::string>& keys) {
  constexpr std::size_t kBatch = 1000;  // S3's limit per DeleteObjects request
  DeleteOutcome all;
  for (std::size_t at = 0; at < keys.size(); at += kBatch) {
    std::vector<std::string> batch(keys.begin() + static_cast<std::ptrdiff_t>(at),
                                   keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), at + kBatch)));
    std::string body = delete_objects_body(batch);
    std::string md5 = md5_base64(body);
    std::string context = fmt::format("delete_objects ({} keys from '{}')", batch.size(), batch.front());
    Response r = transport_.call(context, [&] {
      Request q{.method = "POST", .query = {{"delete", ""}}, .body = body};
      // S3 requires an integrity header on DeleteObjects.
      q.headers = {{"Content-MD5", md5}};
      return q;
    });
    if (!r.ok()) throw error_from_response(context, r, transport_);
    DeleteOutcome part = parse_delete_result(r.body);
    // Quiet mode lists only failures; every other key of the batch was deleted.
    std::vector<std::string> failed;
    for (const auto& e : part.errors) failed.push_back(e.key);
    std::sort(failed.begin(), failed.end());
    for (auto& k : batch)
      if (!std::binary_search(failed.begin(), failed.end(), k)) all.deleted.push_back(std::move(k));
    for (auto& e : part.errors) all.errors.push_back(std::move(e));
  }
  return all;
}

}  // namespace crm::s3
