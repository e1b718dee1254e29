#include "storage-api/errors.hpp"

#include <gtest/gtest.h>

using namespace crm::storage;

TEST(StorageErrors, ReadsTheRealStatusFromTheBody) {
  auto e = parse_error_body(400, R"({"statusCode":"404","error":"not_found","message":"Object not found","code":"NoSuchKey"})");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.effective_status(), 404);
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_TRUE(is_not_found(e));
  EXPECT_FALSE(is_key_rejected(e));
  EXPECT_FALSE(is_bucket_missing(e));
  EXPECT_EQ(e.describe(), "HTTP 400, statusCode 404 NoSuchKey: Object not found");
}

TEST(StorageErrors, KeyRejectionInEveryShape) {
  EXPECT_TRUE(is_key_rejected(parse_error_body(400, R"({"statusCode":"403","error":"Unauthorized","message":"invalid signature","code":"AccessDenied"})")));
  EXPECT_TRUE(is_key_rejected(parse_error_body(401, R"({"message":"Invalid API key"})")));
  EXPECT_TRUE(is_key_rejected(parse_error_body(403, "")));
  EXPECT_FALSE(is_key_rejected(parse_error_body(400, R"({"statusCode":"409","code":"KeyAlreadyExists"})")));
}

TEST(StorageErrors, GatewayStatusesAndNonJsonBodies) {
  auto e = parse_error_body(502, "<html>\n<body>Bad Gateway</body></html>");
  EXPECT_EQ(e.effective_status(), 502);
  EXPECT_EQ(e.message.find('\n'), std::string::npos);
  EXPECT_NE(e.describe().find("Bad Gateway"), std::string::npos);
  auto n = parse_error_body(404, R"({"statusCode":404,"error":"Not Found","message":"Route POST:/object/list-v2/x not found"})");
  EXPECT_EQ(n.status_code, "404");
  EXPECT_TRUE(is_feature_missing(n));
  EXPECT_TRUE(is_feature_missing(parse_error_body(400, R"({"statusCode":"400","error":"FeatureNotEnabled","code":"FeatureNotEnabled","message":"x"})")));
  EXPECT_FALSE(is_feature_missing(parse_error_body(400, R"({"statusCode":"404","code":"NoSuchBucket","message":"Bucket not found"})")));
}

TEST(StorageErrors, TheKeyNeverAppearsInMessages) {
  const std::string key = "eyJhbGciOiJIUzI1NiJ9.secret-part.sig";
  // A server that echoes the token back.
  auto e = parse_error_body(400, R"({"statusCode":"403","code":"AccessDenied","message":"bad token eyJhbGciOiJIUzI1NiJ9.secret-part.sig"})");
  StorageError err = error_from_api("listing", e, key);
  EXPECT_EQ(err.kind(), ErrorKind::kKeyRejected);
  EXPECT_NE(std::string(err.what()).find("storage rejected the service key"), std::string::npos);
  EXPECT_EQ(std::string(err.what()).find(key), std::string::npos);
  EXPECT_EQ(redact("a KEY b KEY", "KEY"), "a [redacted] b [redacted]");
  auto missing = error_from_api("checking", parse_error_body(400, R"({"statusCode":"404","code":"NoSuchBucket"})"), key);
  EXPECT_EQ(missing.kind(), ErrorKind::kBucketMissing);
}
