// The S3 client against two servers: s3rver, a real S3 implementation (round trips, paging past
// 1,000 keys, multipart, batch deletes, awkward keys, interop with the AWS CLI), and the S3
// fault server, which checks SigV4 strictly and injects the failures S3 really has (500, 503
// SlowDown, dropped connections, truncated and short bodies, 200-with-error, lying ETags).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include <fmt/format.h>

#include "fixtures/sandbox/process.hpp"
#include "fixtures/sandbox/s3_server.hpp"
#include "s3/client.hpp"
#include "s3/digest.hpp"
#include "s3/part_size.hpp"

using namespace crm;
using crm::sandbox::S3Server;
using s3::ErrorKind;
using s3::S3Error;

namespace {

const std::string kSecret = "integration-secret-Z9x!/+";

s3::S3Config config_for(const S3Server& server, const std::string& prefix = "") {
  s3::S3Config c;
  c.location = {server.options().bucket, prefix};
  c.credentials = {server.options().access_key, server.options().secret_key, "", "test"};
  c.region = server.options().region;
  c.endpoint = server.url();
  c.url_style = s3::UrlStyle::kPath;
  c.part_size = s3::kMinPartSize;
  c.retry_base_ms = 10;
  c.retry_max_ms = 100;
  c.max_retries = 4;
  c.transfers = 3;
  c.timeouts.low_speed_seconds = 20;
  return c;
}

S3Server::Options server_options() {
  S3Server::Options o;
  o.secret_key = kSecret;
  return o;
}

// Deterministic bytes (xorshift) of a given length, handed out in arbitrary chunk sizes.
struct PatternSource {
  std::uint64_t left;
  std::uint64_t state;
  std::string all;  // everything handed out, to compare with what comes back
  std::size_t operator()(char* buf, std::size_t cap) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(std::min<std::size_t>(cap, 300000), left));
    for (std::size_t i = 0; i < n; ++i) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      buf[i] = static_cast<char>(state);
    }
    all.append(buf, n);
    left -= n;
    return n;
  }
};

std::string pattern(std::uint64_t size, std::uint64_t seed) {
  PatternSource src{size, seed, {}};
  std::string buf(256 * 1024, '\0');
  while (src(buf.data(), buf.size()) > 0) {
  }
  return src.all;
}

std::string get_all(s3::Client& c, const std::string& key, const s3::GetOptions& opts = {}) {
  std::string out;
  c.get_object(key, [&](std::string_view d) { out.append(d); }, opts);
  return out;
}

ErrorKind kind_of_call(const std::function<void()>& f) {
  try {
    f();
  } catch (const S3Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no S3Error thrown";
  return ErrorKind::kLocal;
}

const std::vector<std::string> kAwkwardKeys = {
    "plain.txt", "with space/and more spaces .bin", "plus+sign+.zst", "percent%41%2F%.txt", "unicode/ümlaut-日本.dat",
    "tilde~star*paren(1)'quote'.x", "semi;colon,comma=eq&amp?q#hash", "nested/deep/er/key"};

}  // namespace

class S3rverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = S3Server::start_s3rver(server_options()).release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static S3Server* server_;
};
S3Server* S3rverTest::server_ = nullptr;

TEST_F(S3rverTest, AwkwardKeysRoundTripThroughPutHeadGetAndList) {
  s3::Client c(config_for(*server_, "awkward/"));
  std::map<std::string, std::string> written;
  for (const auto& name : kAwkwardKeys) {
    std::string key = c.key_for(name);
    std::string body = "content of " + name;
    s3::PutResult r = c.put_object(key, body);
    EXPECT_EQ(r.etag, s3::md5_hex(body)) << key;
    written[key] = body;
  }
  for (const auto& [key, body] : written) {
    EXPECT_EQ(get_all(c, key), body) << key;
    auto h = c.head_object(key);
    ASSERT_TRUE(h) << key;
    EXPECT_EQ(h->size, body.size());
    EXPECT_EQ(h->etag, s3::md5_hex(body));
  }
  std::map<std::string, std::uint64_t> listed;
  for (const auto& o : c.list_all("awkward/")) listed[o.key] = o.size;
  ASSERT_EQ(listed.size(), written.size());
  for (const auto& [key, body] : written) EXPECT_EQ(listed[key], body.size()) << key;
  EXPECT_FALSE(c.head_object("awkward/never-written"));
  EXPECT_EQ(kind_of_call([&] { get_all(c, "awkward/never-written"); }), ErrorKind::kNoSuchKey);
  // A ranged read of the middle.
  std::string key = c.key_for(kAwkwardKeys[1]);
  s3::GetOptions range;
  range.offset = 3;
  range.length = 5;
  EXPECT_EQ(get_all(c, key, range), written[key].substr(3, 5));
}

TEST_F(S3rverTest, ListingPagesPastAThousandKeysAndBatchDeleteRemovesThem) {
  s3::Client c(config_for(*server_, "many/"));
  std::set<std::string> keys;
  for (int i = 0; i < 1105; ++i) {
    std::string key = c.key_for(fmt::format("k{:05d}{}", i, i % 7 == 0 ? " +x" : ""));
    c.put_object(key, std::to_string(i));
    keys.insert(key);
  }
  c.put_object("many-other/not-this-prefix", "x");
  s3::ListPage first = c.list_objects_v2("many/");
  EXPECT_TRUE(first.truncated);
  EXPECT_EQ(first.objects.size(), 1000u);
  std::set<std::string> listed;
  for (const auto& o : c.list_all("many/")) EXPECT_TRUE(listed.insert(o.key).second) << "listed twice: " << o.key;
  EXPECT_EQ(listed, keys);
  // Smaller pages follow the continuation token the same way.
  std::set<std::string> paged;
  std::string token;
  int pages = 0;
  do {
    s3::ListPage p = c.list_objects_v2("many/", "", token, 250);
    for (const auto& o : p.objects) paged.insert(o.key);
    token = p.truncated ? p.next_continuation_token : "";
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(paged, keys);

  s3::DeleteOutcome d = c.delete_objects(std::vector<std::string>(keys.begin(), keys.end()));
  EXPECT_EQ(d.deleted.size(), keys.size());
  EXPECT_TRUE(d.errors.empty());
  EXPECT_TRUE(c.list_all("many/").empty());
  EXPECT_EQ(c.list_all("many-other/").size(), 1u);
}

TEST_F(S3rverTest, DelimiterListsCommonPrefixes) {
  s3::Client c(config_for(*server_, "tree/"));
  for (const char* k : {"tree/a/1", "tree/a/2", "tree/b/1", "tree/top"}) c.put_object(k, "x");
  s3::ListPage p = c.list_objects_v2("tree/", "/");
  ASSERT_EQ(p.objects.size(), 1u);
  EXPECT_EQ(p.objects[0].key, "tree/top");
  EXPECT_EQ(p.common_prefixes, (std::vector<std::string>{"tree/a/", "tree/b/"}));
}

TEST_F(S3rverTest, MultipartUploadOfFortyMebibytesReadsBackIdentical) {
  s3::Client c(config_for(*server_, "big/"));
  PatternSource src{40 * s3::kMiB, 0x9E3779B97F4A7C15ull, {}};
  s3::PutResult r = c.upload_stream("big/object.bin", std::ref(src), 40 * s3::kMiB);
  EXPECT_EQ(r.size, 40 * s3::kMiB);
  EXPECT_EQ(r.parts, 8);  // 5 MiB parts
  auto h = c.head_object("big/object.bin");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->size, 40 * s3::kMiB);
  std::string back = get_all(c, "big/object.bin", {.offset = 0, .length = std::nullopt, .expected_size = 40 * s3::kMiB});
  EXPECT_EQ(back.size(), src.all.size());
  EXPECT_TRUE(back == src.all) << "the object read back differs from what was uploaded";
  // A stream that ends within one part is a single PUT.
  PatternSource small{1000, 7, {}};
  s3::PutResult one = c.upload_stream("big/small.bin", std::ref(small));
  EXPECT_EQ(one.parts, 0);
  EXPECT_EQ(get_all(c, "big/small.bin"), small.all);
  // Copy, then the copy reads the same.
  c.copy_object("big/small.bin", "big/small copy+.bin");
  EXPECT_EQ(get_all(c, "big/small copy+.bin"), small.all);
}

TEST_F(S3rverTest, UnknownAccessKeyIsAnAuthErrorThatNamesNoSecret) {
  s3::S3Config cfg = config_for(*server_);
  cfg.credentials.access_key_id = "NOT-A-KNOWN-KEY";
  s3::Client c(cfg);
  try {
    c.put_object("auth/x", "x");
    FAIL() << "an unknown key was accepted";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidAccessKeyId) << e.what();
    EXPECT_TRUE(s3::is_auth_error(e.kind()));
    EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << e.what();
  }
}

TEST_F(S3rverTest, AwsCliListsAndReadsWhatTheClientWrote) {
  std::string aws = sandbox::find_program("aws");
  if (aws.empty()) GTEST_SKIP() << "the AWS CLI is not installed (apt-get install awscli): interop not checked";
  s3::Client c(config_for(*server_, "interop/"));
  c.put_object("interop/one two+three.txt", "hello from crmbackup");
  PatternSource src{11 * s3::kMiB, 42, {}};
  c.upload_stream("interop/multi.bin", std::ref(src), 11 * s3::kMiB);
  sandbox::ProcessOptions po;
  po.env = {{"AWS_ACCESS_KEY_ID", server_->options().access_key},
            {"AWS_SECRET_ACCESS_KEY", server_->options().secret_key},
            {"AWS_DEFAULT_REGION", "us-east-1"},
            {"AWS_CONFIG_FILE", "/dev/null"},
            {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}};
  po.timeout_seconds = 120;
  auto ls = sandbox::run_process({aws, "s3", "ls", "--recursive", "--endpoint-url", server_->url(),
                                  "s3://" + server_->options().bucket + "/interop/"},
                                 po);
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("interop/one two+three.txt"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find(std::to_string(11 * s3::kMiB) + " interop/multi.bin"), std::string::npos) << ls.out;
  auto cat = sandbox::run_process({aws, "s3", "cp", "--endpoint-url", server_->url(),
                                   "s3://" + server_->options().bucket + "/interop/one two+three.txt", "-"},
                                  po);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out, "hello from crmbackup");
}

class S3FaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = S3Server::start_fault_server(server_options()).release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { server_->reset_faults(); }
  static S3Server* server_;
};
S3Server* S3FaultTest::server_ = nullptr;

TEST_F(S3FaultTest, EveryOperationPassesStrictSigV4) {
  s3::S3Config cfg = config_for(*server_, "sig/");
  cfg.credentials.session_token = "session-token-value";
  s3::Client c(cfg);
  std::vector<std::string> keys;
  for (const auto& name : kAwkwardKeys) keys.push_back(c.key_for(name));
  keys.push_back("sig/dots/../not-normalized/./key");
  for (const auto& k : keys) c.put_object(k, "v:" + k, {.content_type = "text/plain; charset=utf-8"});
  for (const auto& k : keys) EXPECT_EQ(get_all(c, k), "v:" + k) << k;
  std::set<std::string> listed;
  std::string token;
  do {  // tiny pages: continuation tokens with '%' and '/' in them
    s3::ListPage p = c.list_objects_v2("sig/", "", token, 2);
    for (const auto& o : p.objects) listed.insert(o.key);
    token = p.truncated ? p.next_continuation_token : "";
  } while (!token.empty());
  EXPECT_EQ(listed, std::set<std::string>(keys.begin(), keys.end()));
  PatternSource src{12 * s3::kMiB, 99, {}};
  s3::PutResult r = c.upload_stream("sig/multi part.bin", std::ref(src), 12 * s3::kMiB);
  EXPECT_EQ(r.parts, 3);
  EXPECT_EQ(get_all(c, "sig/multi part.bin"), src.all);
  EXPECT_EQ(c.copy_object(keys[2], "sig/copied"), s3::md5_hex("v:" + keys[2]));
  s3::DeleteOutcome d = c.delete_objects(keys);
  EXPECT_EQ(d.deleted.size(), keys.size());
  EXPECT_FALSE(c.head_object(keys[0]));
}

TEST_F(S3FaultTest, WrongSecretIsSignatureDoesNotMatchAndNotPrinted) {
  s3::S3Config cfg = config_for(*server_);
  cfg.credentials.secret_access_key = "a-wrong-secret-value";
  s3::Client c(cfg);
  try {
    c.put_object("x", "x");
    FAIL() << "a wrong secret was accepted";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kSignatureDoesNotMatch) << e.what();
    EXPECT_EQ(std::string(e.what()).find("a-wrong-secret-value"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << e.what();
  }
  cfg = config_for(*server_);
  cfg.region = "eu-west-3";
  EXPECT_EQ(kind_of_call([&] { s3::Client(cfg).list_objects_v2(""); }), ErrorKind::kWrongRegion);
  cfg = config_for(*server_);
  cfg.location.bucket = "another-bucket";
  EXPECT_EQ(kind_of_call([&] { s3::Client(cfg).list_objects_v2(""); }), ErrorKind::kNoSuchBucket);
}

TEST_F(S3FaultTest, TransientErrorsAreRetried) {
  s3::Client c(config_for(*server_, "retry/"));
  server_->fault("put", "error500", 2);
  c.put_object("retry/a", "aaa");
  EXPECT_EQ(server_->stat("requests.put"), 3);
  server_->fault("list", "slowdown", 2);
  EXPECT_EQ(c.list_all("retry/").size(), 1u);
  EXPECT_EQ(server_->stat("faults.list.slowdown"), 2);
  server_->fault("get", "drop", 1);
  EXPECT_EQ(get_all(c, "retry/a"), "aaa");
  EXPECT_EQ(server_->stat("requests.get"), 2);
  server_->fault("delete", "slowdown", 1);
  EXPECT_EQ(c.delete_objects({"retry/a"}).deleted.size(), 1u);
  EXPECT_EQ(server_->stat("requests.delete"), 2);
}

TEST_F(S3FaultTest, PersistentThrottlingEndsWithSlowDownAfterTheRetries) {
  s3::S3Config cfg = config_for(*server_);
  cfg.max_retries = 2;
  s3::Client c(cfg);
  server_->fault("put", "slowdown", -1);
  EXPECT_EQ(kind_of_call([&] { c.put_object("throttled", "x"); }), ErrorKind::kSlowDown);
  EXPECT_EQ(server_->stat("requests.put"), 3);
}

TEST_F(S3FaultTest, DroppedConnectionMidPartIsRetried) {
  s3::Client c(config_for(*server_, "drop/"));
  server_->fault("part", "drop", 2);
  PatternSource src{11 * s3::kMiB, 5, {}};
  s3::PutResult r = c.upload_stream("drop/obj", std::ref(src), 11 * s3::kMiB);
  EXPECT_EQ(r.parts, 3);
  EXPECT_EQ(server_->stat("requests.part"), 5);
  EXPECT_EQ(get_all(c, "drop/obj"), src.all);
}

TEST_F(S3FaultTest, TruncatedDownloadResumesWhereItStopped) {
  s3::Client c(config_for(*server_, "trunc/"));
  std::string data = pattern(3 * s3::kMiB, 11);
  c.put_object("trunc/obj", data);
  server_->fault("get", "truncate", 2);
  std::string back = get_all(c, "trunc/obj");
  EXPECT_EQ(server_->stat("requests.get"), 3);
  EXPECT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data);
  // A ranged read survives a truncation too.
  server_->fault("get", "truncate", 1);
  EXPECT_EQ(get_all(c, "trunc/obj", {.offset = 1000, .length = 2 * s3::kMiB}), data.substr(1000, 2 * s3::kMiB));
}

TEST_F(S3FaultTest, ShortBodyWithConsistentHeadersIsCaughtByTheExpectedSize) {
  s3::Client c(config_for(*server_, "short/"));
  std::string data(100000, 'q');
  c.put_object("short/obj", data);
  server_->fault("get", "short", -1);
  EXPECT_EQ(kind_of_call([&] { get_all(c, "short/obj", {.expected_size = data.size()}); }), ErrorKind::kIntegrity);
}

TEST_F(S3FaultTest, CompleteAnsweringTwoHundredWithAnErrorIsRetried) {
  s3::Client c(config_for(*server_, "c200/"));
  server_->fault("complete", "error200", 1);
  PatternSource src{6 * s3::kMiB, 3, {}};
  s3::PutResult r = c.upload_stream("c200/obj", std::ref(src), 6 * s3::kMiB);
  EXPECT_EQ(r.parts, 2);
  EXPECT_EQ(server_->stat("faults.complete.error200"), 1);
  EXPECT_EQ(server_->stat("requests.complete"), 2);
  EXPECT_EQ(get_all(c, "c200/obj"), src.all);
}

TEST_F(S3FaultTest, FailedCompleteAbortsTheUpload) {
  s3::Client c(config_for(*server_, "abort/"));
  server_->fault("complete", "fail", 1);
  PatternSource src{6 * s3::kMiB, 3, {}};
  EXPECT_EQ(kind_of_call([&] { c.upload_stream("abort/obj", std::ref(src), 6 * s3::kMiB); }), ErrorKind::kHttp);
  EXPECT_EQ(server_->stat("aborted"), 1);
  EXPECT_EQ(server_->stat("open_uploads"), 0);
  EXPECT_FALSE(c.head_object("abort/obj"));
}

TEST_F(S3FaultTest, PartThatKeepsFailingAbortsTheUpload) {
  s3::Client c(config_for(*server_, "abort2/"));
  server_->fault("part", "error500", -1);
  PatternSource src{11 * s3::kMiB, 8, {}};
  EXPECT_EQ(kind_of_call([&] { c.upload_stream("abort2/obj", std::ref(src), 11 * s3::kMiB); }), ErrorKind::kHttp);
  EXPECT_EQ(server_->stat("aborted"), 1);
  EXPECT_EQ(server_->stat("open_uploads"), 0);
}

TEST_F(S3FaultTest, WrongEtagIsDetected) {
  s3::Client c(config_for(*server_, "etag/"));
  server_->fault("put", "bad_etag", 1);  // once: the retry gets it right
  c.put_object("etag/once", "abc");
  EXPECT_EQ(server_->stat("requests.put"), 2);
  server_->fault("put", "bad_etag", -1);
  EXPECT_EQ(kind_of_call([&] { c.put_object("etag/always", "abc"); }), ErrorKind::kIntegrity);
  server_->reset_faults();
  server_->fault("part", "bad_etag", -1);
  PatternSource src{6 * s3::kMiB, 13, {}};
  EXPECT_EQ(kind_of_call([&] { c.upload_stream("etag/multi", std::ref(src), 6 * s3::kMiB); }), ErrorKind::kIntegrity);
  EXPECT_EQ(server_->stat("aborted"), 1);
  EXPECT_EQ(server_->stat("open_uploads"), 0);
}

TEST_F(S3FaultTest, CreateOnlyPutAndPerKeyDeleteErrors) {
  s3::Client c(config_for(*server_, "cond/"));
  c.put_object("cond/once", "first", {.if_none_match = true});
  EXPECT_EQ(kind_of_call([&] { c.put_object("cond/once", "second", {.if_none_match = true}); }),
            ErrorKind::kPreconditionFailed);
  EXPECT_EQ(get_all(c, "cond/once"), "first");
  c.put_object("locked/x", "x");
  s3::DeleteOutcome d = c.delete_objects({"cond/once", "locked/x"});
  EXPECT_EQ(d.deleted, std::vector<std::string>{"cond/once"});
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].key, "locked/x");
  EXPECT_EQ(d.errors[0].code, "AccessDenied");
}
