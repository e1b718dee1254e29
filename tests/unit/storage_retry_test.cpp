#include "storage-api/retry_policy.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

using namespace crm::storage;
using std::chrono::milliseconds;

TEST(StorageRetry, RetriesTransientStatusesOnly) {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(RetryPolicy::retryable_status(parse_error_body(s, ""))) << s;
  EXPECT_TRUE(RetryPolicy::retryable_status(parse_error_body(400, R"({"statusCode":"500","code":"InternalError"})")));
  EXPECT_TRUE(RetryPolicy::retryable_status(parse_error_body(400, R"({"statusCode":"429","code":"SlowDown"})")));
  for (const char* body : {R"({"statusCode":"404","code":"NoSuchKey"})", R"({"statusCode":"403","code":"AccessDenied"})",
                           R"({"statusCode":"400","code":"InvalidKey"})", R"({"statusCode":"409","code":"KeyAlreadyExists"})"})
    EXPECT_FALSE(RetryPolicy::retryable_status(parse_error_body(400, body))) << body;
}

TEST(StorageRetry, RetriesDroppedConnectionsAndShortBodies) {
  for (CURLcode c : {CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_OPERATION_TIMEDOUT,
                     CURLE_COULDNT_CONNECT, CURLE_HTTP2_STREAM})
    EXPECT_TRUE(RetryPolicy::retryable_curl(c)) << c;
  for (CURLcode c : {CURLE_WRITE_ERROR, CURLE_URL_MALFORMAT, CURLE_PEER_FAILED_VERIFICATION, CURLE_COULDNT_RESOLVE_HOST})
    EXPECT_FALSE(RetryPolicy::retryable_curl(c)) << c;
}

TEST(StorageRetry, BackoffGrowsWithJitterAndIsCapped) {
  RetryPolicy p{6, milliseconds(100), milliseconds(2000)};
  for (int retry = 1; retry <= 10; ++retry) {
    std::int64_t ceiling = std::min<std::int64_t>(100LL << (retry - 1), 2000);
    std::int64_t lo = 1 << 30, hi = 0;
    for (std::uint64_t r = 0; r < 500; ++r) {
      auto d = p.delay(retry, std::nullopt, r * 7919).count();
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    EXPECT_GE(lo, ceiling / 2) << retry;
    EXPECT_LE(hi, ceiling) << retry;
    EXPECT_LT(lo, hi) << "no jitter at retry " << retry;
  }
}

TEST(StorageRetry, RetryAfterIsHonouredButCapped) {
  RetryPolicy p{6, milliseconds(100), milliseconds(2000)};
  EXPECT_GE(p.delay(1, milliseconds(1500), 0).count(), 1500);
  EXPECT_EQ(p.delay(1, milliseconds(60000), 0).count(), 2000);
  EXPECT_EQ(parse_retry_after(" 3\r\n"), milliseconds(3000));
  EXPECT_EQ(parse_retry_after("0"), milliseconds(0));
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_retry_after("-1"));
}
