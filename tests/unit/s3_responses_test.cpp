#include "s3/responses.hpp"

#include <gtest/gtest.h>

#include "s3/digest.hpp"
#include "s3/errors.hpp"
#include "s3/part_size.hpp"
#include "s3/xml.hpp"

using namespace crm::s3;

TEST(S3Responses, ListingInAnyOrderWithUrlEncodedNames) {
  ListPage p = parse_list_objects_v2(
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Contents><Size>12</Size><Key>a+b%2Bc%20d/%C3%BC</Key><ETag>&quot;ABCDEF&quot;</ETag></Contents>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "<CommonPrefixes><Prefix>dir%2F/</Prefix></CommonPrefixes>"
      "<IsTruncated>true</IsTruncated><EncodingType>url</EncodingType></ListBucketResult>");
  ASSERT_EQ(p.objects.size(), 1u);
  EXPECT_EQ(p.objects[0].key, "a b+c d/\xC3\xBC");
  EXPECT_EQ(p.objects[0].size, 12u);
  EXPECT_EQ(p.objects[0].etag, "abcdef");
  ASSERT_EQ(p.common_prefixes.size(), 1u);
  EXPECT_EQ(p.common_prefixes[0], "dir//");
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Responses, ListingWithoutEncodingTypeKeepsNamesRaw) {
  // A server that ignores encoding-type=url (s3rver does) sends names as they are.
  ListPage p = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a+b%20c</Key><Size>0</Size></Contents>"
      "</ListBucketResult>");
  ASSERT_EQ(p.objects.size(), 1u);
  EXPECT_EQ(p.objects[0].key, "a+b%20c");
  EXPECT_FALSE(p.truncated);
}

TEST(S3Responses, ProtocolErrorsAreTyped) {
  auto kind_of_throw = [](const char* xml) {
    try {
      parse_list_objects_v2(xml);
    } catch (const S3Error& e) {
      return e.kind();
    }
    return ErrorKind::kHttp;
  };
  EXPECT_EQ(kind_of_throw("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
            ErrorKind::kProtocol);
  EXPECT_EQ(kind_of_throw("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>"),
            ErrorKind::kProtocol);
  EXPECT_EQ(kind_of_throw("<Error><Code>x</Code></Error>"), ErrorKind::kProtocol);
  EXPECT_EQ(kind_of_throw("<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%zz</Key><Size>1</Size>"
                          "</Contents></ListBucketResult>"),
            ErrorKind::kProtocol);
}

TEST(S3Responses, MultipartAndDeleteAnswers) {
  EXPECT_EQ(parse_upload_id("<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                            "<Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId>"
                            "</InitiateMultipartUploadResult>"),
            "VXBsb2FkIElE");
  EXPECT_EQ(parse_complete_etag("<?xml version=\"1.0\"?>\n\n  <CompleteMultipartUploadResult><Location>l</Location>"
                                "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>"),
            "3858f62230ac3c915f300c664312c11f-9");
  DeleteOutcome d = parse_delete_result(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b &amp; c</Key><Code>AccessDenied</Code>"
      "<Message>Access Denied</Message></Error></DeleteResult>");
  ASSERT_EQ(d.deleted.size(), 1u);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].key, "b & c");
  EXPECT_EQ(d.errors[0].code, "AccessDenied");
  EXPECT_THROW(parse_upload_id("<InitiateMultipartUploadResult/>"), S3Error);
}

TEST(S3Responses, RequestBodiesEscapeKeys) {
  std::string body = delete_objects_body({"a&b", "<c>\t\"d'"});
  EXPECT_NE(body.find("<Key>a&amp;b</Key>"), std::string::npos) << body;
  EXPECT_NE(body.find("<Key>&lt;c&gt;&#x9;&quot;d&apos;</Key>"), std::string::npos) << body;
  EXPECT_NE(body.find("<Quiet>true</Quiet>"), std::string::npos);
  // What we send, our reader reads back.
  XmlElement parsed = parse_xml(body);
  ASSERT_EQ(parsed.all("Object").size(), 2u);
  EXPECT_EQ(parsed.all("Object")[1]->child_text("Key"), "<c>\t\"d'");
  std::string complete = complete_multipart_body({{1, "\"e1\""}, {2, "\"e2\""}});
  EXPECT_NE(complete.find("<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"), std::string::npos);
}

TEST(S3Errors, ErrorBodiesMapToKinds) {
  ApiError e = parse_error_body(404, R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>)");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(e.resource, "/mybucket/myfoto.jpg");
  EXPECT_EQ(kind_of(e), ErrorKind::kNoSuchKey);
  EXPECT_NE(e.describe().find("HTTP 404 NoSuchKey: The resource you requested does not exist"), std::string::npos);

  struct Case {
    long status;
    const char* code;
    ErrorKind kind;
    bool retry;
  };
  for (const Case& c : {Case{404, "NoSuchBucket", ErrorKind::kNoSuchBucket, false},
                        Case{403, "AccessDenied", ErrorKind::kAccessDenied, false},
                        Case{403, "InvalidAccessKeyId", ErrorKind::kInvalidAccessKeyId, false},
                        Case{403, "SignatureDoesNotMatch", ErrorKind::kSignatureDoesNotMatch, false},
                        Case{400, "ExpiredToken", ErrorKind::kExpiredToken, false},
                        Case{400, "AuthorizationHeaderMalformed", ErrorKind::kWrongRegion, false},
                        Case{503, "SlowDown", ErrorKind::kSlowDown, true},
                        Case{500, "InternalError", ErrorKind::kHttp, true},
                        Case{400, "RequestTimeout", ErrorKind::kHttp, true},
                        Case{412, "PreconditionFailed", ErrorKind::kPreconditionFailed, false},
                        Case{404, "NoSuchUpload", ErrorKind::kNoSuchUpload, false},
                        Case{400, "InvalidPart", ErrorKind::kHttp, false}}) {
    ApiError a = parse_error_body(c.status, std::string("<Error><Code>") + c.code + "</Code></Error>");
    EXPECT_EQ(kind_of(a), c.kind) << c.code;
    EXPECT_EQ(retryable(a), c.retry) << c.code;
  }
  // HEAD answers have no body: the status speaks.
  EXPECT_EQ(kind_of(parse_error_body(404, "")), ErrorKind::kNoSuchKey);
  EXPECT_EQ(kind_of(parse_error_body(403, "")), ErrorKind::kAccessDenied);
  // A proxy's page: one line of it.
  ApiError html = parse_error_body(502, "<html>\n<body>Bad gateway</body>\n</html>");
  EXPECT_TRUE(retryable(html));
  EXPECT_EQ(html.message.find('\n'), std::string::npos);
  EXPECT_TRUE(is_error_document("<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code></Error>"));
  EXPECT_FALSE(is_error_document("<CompleteMultipartUploadResult/>"));
  S3Error sig = error_from_api("get_object k", parse_error_body(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"));
  EXPECT_TRUE(is_auth_error(sig.kind()));
  EXPECT_NE(std::string(sig.what()).find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(S3Digest, KnownDigestsAndEtags) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(unquote_etag("\"ABC-2\""), "abc-2");
  EXPECT_EQ(unquote_etag("W/\"x\""), "x");
  EXPECT_EQ(unquote_etag("&quot;x&quot;"), "x");
}

TEST(S3PartSize, WithinS3Limits) {
  EXPECT_EQ(choose_part_size(std::nullopt), kDefaultPartSize);
  EXPECT_EQ(choose_part_size(1000), kDefaultPartSize);
  EXPECT_EQ(choose_part_size(std::nullopt, 1), kMinPartSize);           // never below 5 MiB
  EXPECT_EQ(choose_part_size(std::nullopt, 6 * 1024 * kMiB), kMaxPartSize);  // never above 5 GiB
  // 100 GiB: 8 MiB parts would be 12,800 parts; 21 MiB keeps it under 5,000.
  std::uint64_t big = 100ull * 1024 * kMiB;
  std::uint64_t p = choose_part_size(big);
  EXPECT_EQ(p % kMiB, 0u);
  EXPECT_LE((big + p - 1) / p, kMaxParts / 2);
  EXPECT_GE(p, kDefaultPartSize);
  // 5 TiB (S3's largest object) still fits in 10,000 parts.
  std::uint64_t largest = choose_part_size(kMaxObjectSize);
  EXPECT_LE((kMaxObjectSize + largest - 1) / largest, kMaxParts);
  EXPECT_THROW(choose_part_size(kMaxObjectSize + 1), S3Error);
}
