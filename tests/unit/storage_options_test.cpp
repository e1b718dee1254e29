#include "engine/cli/storage_options.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "engine/cli/cli_support.hpp"
#include "storage-api/curl_handles.hpp"

using crm::cli::StorageOptions;
using crm::cli::UsageError;

namespace {
// Sets (or unsets) the storage variables for one test and puts them back afterwards.
class EnvGuard {
 public:
  EnvGuard() {
    for (const char* k : kVars) {
      const char* v = std::getenv(k);
      saved_.emplace_back(k, v ? std::optional<std::string>(v) : std::nullopt);
      unsetenv(k);
    }
  }
  ~EnvGuard() {
    for (auto& [k, v] : saved_) {
      if (v) setenv(k.c_str(), v->c_str(), 1);
      else unsetenv(k.c_str());
    }
  }

 private:
  static constexpr const char* kVars[] = {"SUPABASE_STORAGE_URL", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY"};
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};
}  // namespace

TEST(StorageOptions, FallsBackFromFlagsToTheEnvironmentToTheLocalDefault) {
  EnvGuard env;
  StorageOptions o;
  o.service_key = "k";
  EXPECT_EQ(o.resolve().base_url, "http://127.0.0.1:54321/storage/v1");
  setenv("SUPABASE_URL", "https://proj.supabase.co/", 1);
  EXPECT_EQ(o.resolve().base_url, "https://proj.supabase.co/storage/v1");
  setenv("SUPABASE_STORAGE_URL", "http://storage:5000", 1);
  EXPECT_EQ(o.resolve().base_url, "http://storage:5000");
  o.url = "http://flag:1/storage/v1";
  auto cfg = o.resolve();
  EXPECT_EQ(cfg.base_url, "http://flag:1/storage/v1");
  EXPECT_EQ(cfg.bucket, "attachments");
  EXPECT_EQ(cfg.transfers, 16);
  EXPECT_FALSE(cfg.insecure_tls);
}

TEST(StorageOptions, MissingKeyIsAUsageErrorNamingTheVariable) {
  EnvGuard env;
  StorageOptions o;
  try {
    o.resolve();
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("SUPABASE_SERVICE_ROLE_KEY"), std::string::npos);
  }
  setenv("SUPABASE_SERVICE_ROLE_KEY", "from-env", 1);
  EXPECT_EQ(o.resolve().service_key, "from-env");
  o.url = "ftp://x";
  EXPECT_THROW(o.resolve(), UsageError);
}

TEST(StorageOptions, InsecureTlsWarns) {
  EnvGuard env;
  StorageOptions o;
  o.service_key = "k";
  o.insecure = true;
  auto cfg = o.resolve();
  EXPECT_TRUE(cfg.insecure_tls);
  std::string warned;
  cfg.warn = [&](const std::string& m) { warned = m; };
  crm::storage::warn_if_insecure(cfg);
  EXPECT_NE(warned.find("TLS certificate verification is disabled"), std::string::npos);
}
