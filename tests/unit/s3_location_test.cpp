#include "s3/location.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace crm::s3;

TEST(S3Location, BucketAndPrefix) {
  Location l = parse_location("s3://my-bucket/backups/crm");
  EXPECT_EQ(l.bucket, "my-bucket");
  EXPECT_EQ(l.prefix, "backups/crm/");
  EXPECT_EQ(parse_location("s3://b.with.dots").prefix, "");
  EXPECT_EQ(parse_location("s3://bucket/").prefix, "");
  EXPECT_EQ(parse_location("s3://bucket//x/").prefix, "x/");
  EXPECT_EQ(parse_location("s3://bucket/a b/ü+%").prefix, "a b/ü+%/");
}

TEST(S3Location, RejectsWhatIsNotAnS3Url) {
  for (const char* bad : {"", "s3:/b", "s3://", "s3:///prefix", "https://b/x", "S3://b", "s3://b?x=1", "s3://b#x",
                          "s3://user@b", "s3://b:9000", "s3://b/x\ny"}) {
    EXPECT_THROW(parse_location(bad), std::invalid_argument) << bad;
  }
  try {
    parse_location("gs://bucket");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("s3://BUCKET/PREFIX"), std::string::npos) << e.what();
  }
}

TEST(S3Location, DnsCompatibleBuckets) {
  EXPECT_TRUE(dns_compatible_bucket("my-bucket-01"));
  EXPECT_FALSE(dns_compatible_bucket("my.bucket"));  // TLS wildcard certificates cover one label
  EXPECT_FALSE(dns_compatible_bucket("My-Bucket"));
  EXPECT_FALSE(dns_compatible_bucket("ab"));
  EXPECT_FALSE(dns_compatible_bucket("-abc"));
  EXPECT_FALSE(dns_compatible_bucket("under_score"));
}
