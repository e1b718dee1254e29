// The S3 test server's SigV4 verifier (fixtures/s3-fault-server/sigv4.cpp) against the worked
// examples of AWS's "Signature Calculations for the Authorization Header" page: the verifier is
// the oracle the client's signing is judged by, so it must agree with AWS first.
#include "fixtures/s3-fault-server/sigv4.hpp"

#include <gtest/gtest.h>

using namespace crm::fixture::s3;

namespace {
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string sign(const SignedRequest& r, const std::string& signed_headers) {
  std::string canonical = canonical_request(r, signed_headers);
  return signature(kSecret, "20130524", "us-east-1", "s3",
                   string_to_sign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", canonical));
}
}  // namespace

TEST(SigV4Verifier, AwsExampleGetObject) {
  SignedRequest r{"GET", "/test.txt",
                  {{"host", "examplebucket.s3.amazonaws.com"},
                   {"range", "bytes=0-9"},
                   {"x-amz-content-sha256", kEmptySha},
                   {"x-amz-date", "20130524T000000Z"}}};
  EXPECT_EQ(sign(r, "host;range;x-amz-content-sha256;x-amz-date"),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  r.headers["authorization"] =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  EXPECT_EQ(verify(r, "AKIAIOSFODNN7EXAMPLE", kSecret, "us-east-1"), "");
  EXPECT_EQ(verify(r, "AKIAIOSFODNN7EXAMPLE", "another secret", "us-east-1"), "SignatureDoesNotMatch");
  EXPECT_EQ(verify(r, "AKIAOTHER", kSecret, "us-east-1"), "InvalidAccessKeyId");
  r.headers["range"] = "bytes=0-10";  // a signed header changed on the way
  EXPECT_EQ(verify(r, "AKIAIOSFODNN7EXAMPLE", kSecret, "us-east-1"), "SignatureDoesNotMatch");
}

TEST(SigV4Verifier, AwsExampleGetBucketLifecycle) {
  SignedRequest r{"GET", "/?lifecycle",
                  {{"host", "examplebucket.s3.amazonaws.com"},
                   {"x-amz-content-sha256", kEmptySha},
                   {"x-amz-date", "20130524T000000Z"}}};
  EXPECT_EQ(sign(r, "host;x-amz-content-sha256;x-amz-date"),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4Verifier, AwsExampleListObjectsSortsTheQuery) {
  // Sent unsorted: the canonical query is sorted, so the signature is the documented one.
  SignedRequest r{"GET", "/?prefix=J&max-keys=2",
                  {{"host", "examplebucket.s3.amazonaws.com"},
                   {"x-amz-content-sha256", kEmptySha},
                   {"x-amz-date", "20130524T000000Z"}}};
  EXPECT_EQ(sign(r, "host;x-amz-content-sha256;x-amz-date"),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Verifier, AwsExamplePutObject) {
  SignedRequest r{"PUT", "/test%24file.text",
                  {{"host", "examplebucket.s3.amazonaws.com"},
                   {"date", "Fri, 24 May 2013 00:00:00 GMT"},
                   {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                   {"x-amz-content-sha256", sha256_hex("Welcome to Amazon S3.")},
                   {"x-amz-date", "20130524T000000Z"}}};
  EXPECT_EQ(r.headers["x-amz-content-sha256"], "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(sign(r, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class"),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Verifier, CanonicalUriIsReencodedPerSegment) {
  SignedRequest a{"GET", "/b/a%20b%2Bc", {}};
  SignedRequest b{"GET", "/b/a%20b+c", {}};  // a raw '+' is not what S3 signs as '+'
  EXPECT_EQ(canonical_request(a, ""), canonical_request(b, ""));
  EXPECT_NE(canonical_request(a, "").find("/b/a%20b%2Bc\n"), std::string::npos);
}
