#pragma once
// An S3 client for one bucket: object reads and writes, listings, batch deletes and multipart
// uploads, each request signed and retried (see transport.hpp). Keys are full object keys; the
// repository layer adds the s3:// URL's prefix (key_for). Not thread-safe: one Client per thread
// (upload_stream runs its parts on transports of its own).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/config.hpp"
#include "s3/errors.hpp"
#include "s3/part_budget.hpp"
#include "s3/responses.hpp"
#include "s3/transport.hpp"

namespace crm::s3 {

// Receives downloaded bytes in order; may throw to stop.
using ByteSink = std::function<void(std::string_view)>;
// Fills up to `cap` bytes, returns how many; 0 means the end. May throw to stop.
using ByteSource = std::function<std::size_t(char* buf, std::size_t cap)>;

struct PutOptions {
  std::string content_type = "application/octet-stream";
  // Create only: `If-None-Match: *`. Stores that support it answer 412 when the key exists
  // (put_object then throws kPreconditionFailed); stores that do not ignore it, so callers
  // must treat it as a safeguard, never as a lock.
  bool if_none_match = false;
};

struct UploadControl {
  // When set, the parts in flight beyond the first are taken from it (memory: 2 x part size of
  // the upload's own plus what it holds of the budget), so concurrent uploads share one bound.
  PartBudget* budget = nullptr;
  // Asked before each part and before the upload is completed: true abandons it (a multipart
  // upload is aborted; S3Error kLocal), so a stopped run leaves no object it did not finish.
  std::function<bool()> stopped;
};

struct PutResult {
  std::string etag;  // unquoted, lower-case
  std::uint64_t size = 0;
  int parts = 0;  // 0: a single PUT
};

struct HeadResult {
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;
  std::string content_type;
};

struct GetOptions {
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;         // none: to the end
  std::optional<std::uint64_t> expected_size;  // the whole object's size (from a listing)
};

struct GetResult {
  std::uint64_t bytes = 0;        // delivered to the sink
  std::uint64_t object_size = 0;  // the whole object's, when the server said it
  std::string etag;
};

class Client {
 public:
  explicit Client(const S3Config& cfg);

  const S3Config& config() const { return transport_.config(); }
  std::string key_for(std::string_view name) const { return config().location.prefix + std::string(name); }

  // Single PUT with Content-MD5; the returned ETag is compared with the MD5 when
  // config().check_md5_etag (a mismatch is retried, then kIntegrity).
  PutResult put_object(const std::string& key, std::string_view bytes, const PutOptions& opts = {});
  // Reads the source: one PUT when it ends within one part, else a multipart upload with up to
  // config().transfers parts in flight (memory: (transfers + 1) x part size), aborted when
  // anything fails. `expected_size` picks the part size (choose_part_size). See UploadControl
  // for sharing one memory bound between concurrent uploads and for stopping one.
  PutResult upload_stream(const std::string& key, const ByteSource& source,
                          std::optional<std::uint64_t> expected_size = std::nullopt, const PutOptions& opts = {},
                          const UploadControl& control = {});

  // Streams the object (or a range) to the sink; a dropped connection resumes where it stopped
  // (If-Match the first answer's ETag), a short body is retried, a size other than
  // expected_size is kIntegrity.
  GetResult get_object(const std::string& key, const ByteSink& sink, const GetOptions& opts = {});
  std::optional<HeadResult> head_object(const std::string& key);  // nullopt: no such key

  // One page of ListObjectsV2 (encoding-type=url, so any key survives the XML).
  ListPage list_objects_v2(const std::string& prefix, const std::string& delimiter = "",
                           const std::string& continuation_token = "", int max_keys = 1000);
  // Every page, following continuation tokens.
  std::vector<ObjectInfo> list_all(const std::string& prefix);

  void delete_object(const std::string& key);  // a missing key is not an error (S3 semantics)
  // DeleteObjects in batches of 1000; per-key failures are returned, not thrown.
  DeleteOutcome delete_objects(const std::vector<std::string>& keys);
  std::string copy_object(const std::string& source_key, const std::string& dest_key);  // the new ETag

  // Multipart primitives (upload_stream uses them).
  std::string create_multipart_upload(const std::string& key, const PutOptions& opts = {});
  std::string upload_part(const std::string& key, const std::string& upload_id, int part_number,
                          std::string_view bytes);  // the part's ETag as sent by the server
  std::string complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                        const std::vector<CompletedPart>& parts);
  void abort_multipart_upload(const std::string& key, const std::string& upload_id);

 private:
  Transport transport_;
};

// Part requests shared by Client and upload_stream's worker transports.
// md5_hex_out, when given, receives the part's MD5 (for the multipart ETag check).
std::string upload_part_on(Transport& t, const std::string& key, const std::string& upload_id, int part_number,
                           std::string_view bytes, std::string* md5_hex_out = nullptr);
// The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, "-", the part count.
std::string multipart_etag(const std::vector<std::string>& part_md5_hex);

}  // namespace crm::s3
