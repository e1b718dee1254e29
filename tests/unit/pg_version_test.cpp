// The supported range is stated once (PgVersion) and every check asks it: 14 to 18 pass,
// 13 and 19 are refused with the action, the range and the server's version in the message.
#include <gtest/gtest.h>

#include <stdexcept>

#include "pgwire/pg_version.hpp"

using crm::pg::PgVersion;

TEST(PgVersion, MajorTextAndAtLeast) {
  PgVersion v(180004);
  EXPECT_EQ(v.major(), 18);
  EXPECT_EQ(v.text(), "18.4");
  EXPECT_TRUE(v.at_least(18));
  EXPECT_TRUE(v.at_least(16));
  EXPECT_FALSE(v.at_least(19));
  EXPECT_FALSE(PgVersion(170999).at_least(18));
  EXPECT_EQ(PgVersion(150012).text(), "15.12");
}

TEST(PgVersion, SupportsFourteenToEighteen) {
  for (int num : {140000, 150004, 160010, 170006, 180000, 189999}) {
    EXPECT_TRUE(PgVersion(num).supported()) << num;
    EXPECT_NO_THROW(PgVersion(num).require_supported("schema dump")) << num;
  }
  for (int num : {130015, 190000, 0}) EXPECT_FALSE(PgVersion(num).supported()) << num;
}

TEST(PgVersion, RefusalNamesTheActionTheRangeAndTheServer) {
  try {
    PgVersion(190001).require_supported("restore");
    FAIL() << "19 accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "restore supports PostgreSQL 14 to 18; the server is PostgreSQL 19.1 (190001)");
  }
}
