#pragma once
// S3's XML answers read into plain structs, and the XML bodies the client sends. Readers throw
// S3Error kProtocol when a required element is missing or the XML is malformed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::s3 {

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;  // unquoted, lower-case
  std::string last_modified;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;
};

struct KeyError {
  std::string key;
  std::string code;
  std::string message;
};

struct DeleteOutcome {
  std::vector<std::string> deleted;
  std::vector<KeyError> errors;
};

struct CompletedPart {
  int number = 0;
  std::string etag;  // as the server sent it (quotes are fine inside the XML)
};

// ListObjectsV2. Keys and prefixes are URL-decoded when the answer says
// <EncodingType>url</EncodingType> (servers that ignore encoding-type send them raw).
ListPage parse_list_objects_v2(std::string_view xml);
std::string parse_upload_id(std::string_view xml);       // InitiateMultipartUploadResult
std::string parse_complete_etag(std::string_view xml);   // CompleteMultipartUploadResult
std::string parse_copy_etag(std::string_view xml);       // CopyObjectResult
DeleteOutcome parse_delete_result(std::string_view xml);  // DeleteResult

std::string complete_multipart_body(const std::vector<CompletedPart>& parts);
std::string delete_objects_body(const std::vector<std::string>& keys);  // Quiet: only errors come back

std::string xml_escape(std::string_view text);
// %XX decoding, '+' as a space (the form S3 uses with encoding-type=url).
std::string url_decode(std::string_view text);

}  // namespace crm::s3
