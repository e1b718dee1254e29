// Inputs found by the fuzz targets (tests/fuzz) and by the lying-manifest tests, kept as
// regressions in the ordinary unit tests.
#include <gtest/gtest.h>

#include "engine/backupset/manifest.hpp"
#include "pgwire/conninfo.hpp"
#include "storage-api/errors.hpp"
#include "storage-api/listing.hpp"

using namespace crm;

TEST(ListingRegressions, SizeBeyondTwoToTheSixtyFourIsMalformedNotUndefined) {
  std::string page = R"({"hasNext":false,"objects":[{"name":"x","metadata":{"size":2.2e100}}]})";
  EXPECT_THROW(storage::parse_list_v2(page), storage::StorageError);
  auto ok = storage::parse_list_v2(R"({"hasNext":false,"objects":[{"name":"x","metadata":{"size":1.5e3}}]})");
  ASSERT_EQ(ok.objects.size(), 1u);
  EXPECT_EQ(ok.objects[0].size, 1500u);
}

TEST(ListingRegressions, V1FolderWithoutANameIsMalformedInsteadOfAnEndlessDescent) {
  EXPECT_THROW(storage::parse_list_v1(R"([{"name":"","iN":"1"}])"), storage::StorageError);
  EXPECT_THROW(storage::parse_list_v1(R"([{"name":"","id":null}])"), storage::StorageError);
  auto ok = storage::parse_list_v1(R"([{"name":"folder","id":null,"metadata":null}])");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_TRUE(ok[0].is_folder);
}

TEST(ManifestRegressions, ObjectPathsThatLeaveTheSetAreRefused) {
  engine::Manifest m;
  m.tool_version = "test";
  m.prefix = "backup-2024-01-15-143022";
  m.server_version = "15.4";
  m.database = "postgresql://postgres:***@127.0.0.1:54322/postgres";
  m.options = {{"jobs", "2"}};
  m.snapshot_time = m.started_at = m.finished_at = "2024-01-15T14:30:22Z";
  m.attachments_included = true;
  m.bucket = "attachments";
  m.objects = {{"ok/file.pdf", 5, "cd", "application/pdf", "no-cache", "", "", "downloaded", ""}};
  EXPECT_NO_THROW(engine::parse_manifest(engine::manifest_to_json(m), "m.json"));
  for (const std::string& bad : std::vector<std::string>{"../outside.bin", "/etc/passwd", "a/../../b", "a//b", std::string("n\0ul", 4), ""}) {
    m.objects[0].path = bad;
    try {
      engine::parse_manifest(engine::manifest_to_json(m), "m.json");
      ADD_FAILURE() << "accepted object path '" << bad << "'";
    } catch (const engine::ManifestError& e) {
      EXPECT_NE(std::string(e.what()).find("attachments.objects[0]"), std::string::npos) << e.what();
    }
  }
}

TEST(ConninfoRegressions, LibpqMessagesQuotingTheUrlLoseThePassword) {
  // libpq's own words for a malformed URL quote it whole.
  std::string url = "postgresql://u:Pa55-word@[::1";
  std::string msg = "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"" + url + "\"";
  std::string out = pg::scrub_target_secret(msg, url);
  EXPECT_EQ(out.find("Pa55-word"), std::string::npos) << out;
  EXPECT_NE(out.find("postgresql://u:***@[::1"), std::string::npos) << out;
  std::string kv = "host=x password='se cret' dbname=y";
  out = pg::scrub_target_secret("bad: " + kv + " and 'se cret' again", kv);
  EXPECT_EQ(out.find("se cret"), std::string::npos) << out;
  EXPECT_EQ(pg::scrub_target_secret("no secret here", "postgresql://u@h/db"), "no secret here");
  EXPECT_EQ(pg::scrub_target_secret("", url), "");
}
