#include "s3/config.hpp"

#include <gtest/gtest.h>

#include <map>

#include "s3/profile_files.hpp"
#include "s3/request_url.hpp"
#include "tests/support/files.hpp"

using namespace crm::s3;
using crm::testsupport::TempDir;
using crm::testsupport::write_file;

namespace {

struct Env {
  std::map<std::string, std::string> vars;
  EnvLookup lookup() const {
    return [this](const std::string& k) -> std::optional<std::string> {
      auto it = vars.find(k);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

const Location kLoc{"crm-backups", "prod/"};

}  // namespace

TEST(S3Config, EnvironmentCredentialsRegionAndEndpoint) {
  TempDir home;
  Env env{{{"HOME", home.path.string()},
           {"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"},
           {"AWS_SECRET_ACCESS_KEY", "env-secret-value"},
           {"AWS_SESSION_TOKEN", "env-token-value"},
           {"AWS_DEFAULT_REGION", "eu-west-1"},
           {"AWS_ENDPOINT_URL", "https://generic.example/"},
           {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000/"}}};
  S3Config c = resolve_config(kLoc, env.lookup());
  EXPECT_EQ(c.credentials.access_key_id, "AKIAENVEXAMPLE1234");
  EXPECT_EQ(c.credentials.secret_access_key, "env-secret-value");
  EXPECT_EQ(c.credentials.session_token, "env-token-value");
  EXPECT_EQ(c.credentials.source, "environment");
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:9000");  // the S3-specific variable wins, slash dropped
  EXPECT_EQ(c.url_style, UrlStyle::kPath);         // a custom endpoint: path-style by default

  env.vars["AWS_REGION"] = "ap-south-1";  // AWS_REGION wins over AWS_DEFAULT_REGION
  env.vars.erase("AWS_ENDPOINT_URL_S3");
  c = resolve_config(kLoc, env.lookup());
  EXPECT_EQ(c.region, "ap-south-1");
  EXPECT_EQ(c.endpoint, "https://generic.example");

  env.vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  c = resolve_config(kLoc, env.lookup());
  EXPECT_EQ(c.endpoint, "");
  EXPECT_EQ(c.url_style, UrlStyle::kVirtual);  // AWS itself: virtual-hosted
}

TEST(S3Config, DescriptionNeverShowsTheSecretOrToken) {
  Env env{{{"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"},
           {"AWS_SECRET_ACCESS_KEY", "very-secret-value"},
           {"AWS_SESSION_TOKEN", "very-secret-token"}}};
  S3Config c = resolve_config(kLoc, env.lookup());
  std::string d = c.describe();
  EXPECT_EQ(d.find("very-secret"), std::string::npos) << d;
  EXPECT_EQ(d.find("AKIAENVEXAMPLE1234"), std::string::npos) << d;
  EXPECT_NE(d.find("1234"), std::string::npos) << d;
  EXPECT_NE(d.find("s3://crm-backups/prod/"), std::string::npos) << d;
  EXPECT_NE(d.find("session token"), std::string::npos) << d;
}

TEST(S3Config, ProfileFilesInHomeAndTheirOverrides) {
  TempDir home;
  write_file(home.path / ".aws/credentials",
             "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n"
             "# a comment\n[dev]\naws_access_key_id=AKIADEV\naws_secret_access_key=dev-secret\n"
             "aws_session_token = dev-token\n");
  write_file(home.path / ".aws/config",
             "[default]\nregion = us-west-2\n\n[profile dev]\nregion = eu-central-1\ns3 =\n"
             "  addressing_style = virtual\n  endpoint_url = https://minio.example:9000\n"
             "endpoint_url = https://ignored.example\n");
  Env env{{{"HOME", home.path.string()}}};
  S3Config c = resolve_config(kLoc, env.lookup());
  EXPECT_EQ(c.credentials.access_key_id, "AKIADEFAULT");
  EXPECT_EQ(c.region, "us-west-2");
  EXPECT_EQ(c.endpoint, "");
  EXPECT_NE(c.credentials.source.find("profile default"), std::string::npos);

  env.vars["AWS_PROFILE"] = "dev";
  c = resolve_config(kLoc, env.lookup());
  EXPECT_EQ(c.credentials.access_key_id, "AKIADEV");
  EXPECT_EQ(c.credentials.session_token, "dev-token");
  EXPECT_EQ(c.region, "eu-central-1");
  EXPECT_EQ(c.endpoint, "https://minio.example:9000");  // the s3 sub-section wins
  EXPECT_EQ(c.url_style, UrlStyle::kVirtual);

  // Environment keys win over AWS_PROFILE (as the AWS CLI does), not over an explicit profile.
  env.vars["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  env.vars["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  EXPECT_EQ(resolve_config(kLoc, env.lookup()).credentials.access_key_id, "AKIAENV");
  ConfigOverrides ov;
  ov.profile = "dev";
  ov.url_style = UrlStyle::kPath;
  c = resolve_config(kLoc, env.lookup(), ov);
  EXPECT_EQ(c.credentials.access_key_id, "AKIADEV");
  EXPECT_EQ(c.url_style, UrlStyle::kPath);

  // Moved files.
  TempDir other;
  write_file(other.path / "creds", "[dev]\naws_access_key_id=AKIAMOVED\naws_secret_access_key=s\n");
  env.vars.erase("AWS_ACCESS_KEY_ID");
  env.vars.erase("AWS_SECRET_ACCESS_KEY");
  env.vars["AWS_SHARED_CREDENTIALS_FILE"] = (other.path / "creds").string();
  env.vars["AWS_CONFIG_FILE"] = (other.path / "missing-config").string();
  c = resolve_config(kLoc, env.lookup());
  EXPECT_EQ(c.credentials.access_key_id, "AKIAMOVED");
  EXPECT_EQ(c.region, "us-east-1");  // the default when nothing says otherwise
}

TEST(S3Config, ClearErrorsForMissingOrPartialCredentials) {
  TempDir home;
  Env env{{{"HOME", home.path.string()}}};
  try {
    resolve_config(kLoc, env.lookup());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("AWS_ACCESS_KEY_ID"), std::string::npos) << e.what();
  }
  env.vars["AWS_ACCESS_KEY_ID"] = "AKIAONLY";
  EXPECT_THROW(resolve_config(kLoc, env.lookup()), ConfigError);
  env.vars.erase("AWS_ACCESS_KEY_ID");
  env.vars["AWS_PROFILE"] = "nope";
  try {
    resolve_config(kLoc, env.lookup());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos) << e.what();
  }
  env.vars.erase("AWS_PROFILE");
  write_file(home.path / ".aws/config", "[default]\nrole_arn = arn:aws:iam::1:role/x\n");
  try {
    resolve_config(kLoc, env.lookup());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not supported"), std::string::npos) << e.what();
  }
  env.vars["AWS_ACCESS_KEY_ID"] = "A";
  env.vars["AWS_SECRET_ACCESS_KEY"] = "B";
  env.vars["AWS_ENDPOINT_URL"] = "minio:9000";
  EXPECT_THROW(resolve_config(kLoc, env.lookup()), ConfigError);
  EXPECT_THROW(parse_url_style("dns"), ConfigError);
}

TEST(S3Config, IniReaderKeepsValuesAndNestedKeys) {
  IniFile f = parse_ini("[profile a]\r\nKey = v=1 \r\n; comment\ns3 =\n\tmax_concurrent_requests = 4\nafter = x\n");
  const IniSection* s = config_section(f, "a");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->at("key"), "v=1");
  EXPECT_EQ(s->at("s3.max_concurrent_requests"), "4");
  EXPECT_EQ(s->at("after"), "x");
  EXPECT_EQ(config_section(f, "b"), nullptr);
}

TEST(S3RequestUrl, PathAndVirtualStylesWithEncodedKeys) {
  S3Config c;
  c.location = {"crm-backups", ""};
  c.region = "eu-west-1";
  c.url_style = UrlStyle::kVirtual;
  EXPECT_EQ(request_url(c, "a b/ü+%.zst"), "https://crm-backups.s3.eu-west-1.amazonaws.com/a%20b/%C3%BC%2B%25.zst");
  EXPECT_EQ(request_url(c, ""), "https://crm-backups.s3.eu-west-1.amazonaws.com/");
  c.url_style = UrlStyle::kPath;
  EXPECT_EQ(request_url(c, "k"), "https://s3.eu-west-1.amazonaws.com/crm-backups/k");
  c.endpoint = "https://project.supabase.co/storage/v1/s3";
  EXPECT_EQ(request_url(c, "k", {{"uploads", ""}}), "https://project.supabase.co/storage/v1/s3/crm-backups/k?uploads=");
  EXPECT_EQ(request_url(c, ""), "https://project.supabase.co/storage/v1/s3/crm-backups");
  c.endpoint = "http://127.0.0.1:9000";
  c.url_style = UrlStyle::kVirtual;
  EXPECT_EQ(request_url(c, "k"), "http://crm-backups.127.0.0.1:9000/k");
}

TEST(S3RequestUrl, QueryIsSortedAndEncodedAsSigV4Wants) {
  EXPECT_EQ(canonical_query({{"prefix", "a b/+"}, {"list-type", "2"}, {"continuation-token", "x=y/z"}}),
            "continuation-token=x%3Dy%2Fz&list-type=2&prefix=a%20b%2F%2B");
  EXPECT_EQ(canonical_query({{"uploadId", "id~1"}, {"partNumber", "10"}}), "partNumber=10&uploadId=id~1");
}
