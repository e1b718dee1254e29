// --lock-timeout parsing, and which script statements can lift the restore's lock_timeout
// (pg_dump-style files start with `SET lock_timeout = 0` and end with `RESET ALL`).
#include <gtest/gtest.h>

#include "engine/cli/lock_timeout_option.hpp"
#include "engine/errors.hpp"
#include "engine/restore/lock_limit.hpp"

using namespace std::chrono_literals;
using crm::cli::parse_duration;

TEST(LockTimeoutOption, AcceptsTheDocumentedUnits) {
  EXPECT_EQ(parse_duration("60s", "--lock-timeout"), 60000ms);
  EXPECT_EQ(parse_duration("60", "--lock-timeout"), 60000ms);
  EXPECT_EQ(parse_duration("500ms", "--lock-timeout"), 500ms);
  EXPECT_EQ(parse_duration("1.5s", "--lock-timeout"), 1500ms);
  EXPECT_EQ(parse_duration("2min", "--lock-timeout"), 120000ms);
  EXPECT_EQ(parse_duration("2m", "--lock-timeout"), 120000ms);
  EXPECT_EQ(parse_duration("1h", "--lock-timeout"), 3600000ms);
  EXPECT_EQ(parse_duration("0", "--lock-timeout"), 0ms);
  EXPECT_EQ(crm::cli::LockTimeoutOption{}.resolve(), 60000ms);  // the default
}

TEST(LockTimeoutOption, RefusesAnythingElseNamingTheFlag) {
  for (const char* bad : {"", "s", "-1s", "10 s", "10sec", "abc", "1e999", "nan", "0.1ms", "1000h", "+5s"}) {
    try {
      parse_duration(bad, "--lock-timeout");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const crm::engine::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--lock-timeout"), std::string::npos) << e.what();
    }
  }
}

TEST(LockLimit, RecognisesStatementsThatChangeLockTimeout) {
  using crm::engine::changes_lock_timeout;
  EXPECT_TRUE(changes_lock_timeout("SET lock_timeout = 0;"));
  EXPECT_TRUE(changes_lock_timeout("  set LOCK_TIMEOUT to '5s'"));
  EXPECT_TRUE(changes_lock_timeout("SET SESSION lock_timeout = 0"));
  EXPECT_TRUE(changes_lock_timeout("RESET ALL;"));
  EXPECT_TRUE(changes_lock_timeout("\nreset   all"));
  EXPECT_TRUE(changes_lock_timeout("RESET lock_timeout"));
  EXPECT_TRUE(changes_lock_timeout("SELECT pg_catalog.set_config('lock_timeout', '0', false);"));
  EXPECT_FALSE(changes_lock_timeout("SET statement_timeout = 0;"));
  EXPECT_FALSE(changes_lock_timeout("RESET search_path"));
  EXPECT_FALSE(changes_lock_timeout("SELECT pg_catalog.set_config('search_path', '', false);"));
  EXPECT_FALSE(changes_lock_timeout("CREATE FUNCTION f() RETURNS void AS $$ SET lock_timeout = 0 $$ LANGUAGE sql;"));
  EXPECT_FALSE(changes_lock_timeout("COMMENT ON TABLE t IS 'RESET ALL'"));
  EXPECT_FALSE(changes_lock_timeout("SETTINGS"));
}
