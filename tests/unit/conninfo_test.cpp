#include "pgwire/conninfo.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace crm::pg;

namespace {
struct EnvGuard {
  explicit EnvGuard(std::initializer_list<const char*> names) {
    for (auto n : names) {
      const char* v = std::getenv(n);
      saved.emplace_back(n, v ? std::optional<std::string>(v) : std::nullopt);
      unsetenv(n);
    }
  }
  ~EnvGuard() {
    for (auto& [n, v] : saved) {
      if (v) setenv(n.c_str(), v->c_str(), 1);
      else unsetenv(n.c_str());
    }
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved;
};
const std::initializer_list<const char*> kVars = {"SUPABASE_DB_URL", "DATABASE_URL", "PGHOST", "PGHOSTADDR",
                                                  "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"};
}  // namespace

TEST(ConnInfo, RedactsUrlPasswords) {
  EXPECT_EQ(redact_target("postgresql://postgres:s3cret@db.example:5432/postgres"),
            "postgresql://postgres:***@db.example:5432/postgres");
  EXPECT_EQ(redact_target("postgres://u:p%40ss@h/db?sslmode=require&password=x"),
            "postgres://u:***@h/db?sslmode=require&password=***");
  EXPECT_EQ(redact_target("postgresql://u:pa@ss@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(redact_target("postgresql://u@h/db"), "postgresql://u@h/db");
}

TEST(ConnInfo, RedactsKeywordPasswords) {
  EXPECT_EQ(redact_target("host=h password=s3cret user=u"), "host=h password=*** user=u");
  EXPECT_EQ(redact_target("host=h password = 'a b' user=u"), "host=h password = *** user=u");
}

TEST(ConnInfo, ResolutionOrder) {
  EnvGuard g(kVars);
  EXPECT_EQ(resolve_target(""), std::string(kLocalSupabaseUrl));
  setenv("PGHOST", "h", 1);
  EXPECT_EQ(resolve_target(""), "");  // libpq reads the environment itself
  setenv("DATABASE_URL", "postgresql://d", 1);
  EXPECT_EQ(resolve_target(""), "postgresql://d");
  setenv("SUPABASE_DB_URL", "postgresql://s", 1);
  EXPECT_EQ(resolve_target(""), "postgresql://s");
  EXPECT_EQ(resolve_target("postgresql://flag"), "postgresql://flag");
}
