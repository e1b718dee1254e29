// The kinds registry and the choice of a catalog query's version variant.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "engine/schema/kinds/registry.hpp"
#include "engine/schema/kinds/sql_files.hpp"

using crm::pg::PgVersion;
using namespace crm::engine::schema::kinds;

namespace {

const std::vector<SqlFile> kFiles = {
    {"things.sql", "base"},           {"things.pg15.sql", "fifteen"}, {"things.pg17.sql", "seventeen"},
    {"things.drop.sql", "drop"},      {"things_more.sql", "other"},   {"newer.pg16.sql", "sixteen only"},
    {"odd.pgx.sql", "not a variant"}, {"odd.sql", "odd base"},
};

std::string pick(std::string_view stem, int major) {
  auto q = query_for(stem, PgVersion(major * 10000 + 2), kFiles);
  return q ? std::string(*q) : "<none>";
}

}  // namespace

TEST(SchemaKinds, TheHighestVariantNotAboveTheServerWins) {
  EXPECT_EQ(pick("things", 14), "base");
  EXPECT_EQ(pick("things", 15), "fifteen");
  EXPECT_EQ(pick("things", 16), "fifteen");
  EXPECT_EQ(pick("things", 17), "seventeen");
  EXPECT_EQ(pick("things", 18), "seventeen");
}

TEST(SchemaKinds, OtherStemsSharingAPrefixAreNotVariants) {
  EXPECT_EQ(pick("things.drop", 18), "drop");
  EXPECT_EQ(pick("things_more", 14), "other");
  EXPECT_EQ(pick("odd", 18), "odd base");  // odd.pgx.sql is no version
}

TEST(SchemaKinds, AQueryWithoutABaseFileIsSkippedOnOlderServers) {
  EXPECT_EQ(pick("newer", 15), "<none>");
  EXPECT_EQ(pick("newer", 16), "sixteen only");
}

TEST(SchemaKinds, AStemWithNoFileIsAnError) {
  EXPECT_THROW(query_for("missing", PgVersion(180000), kFiles), std::logic_error);
  EXPECT_THROW(query_for("thing", PgVersion(180000), kFiles), std::logic_error);
}

// Every query a registered kind names is embedded, exists on the newest supported version, and
// every drop exists on every supported version (a restore must be able to clear any of them).
TEST(SchemaKinds, EveryRegisteredQueryIsEmbedded) {
  std::set<std::string_view> names;
  ASSERT_FALSE(registry().empty());
  for (const auto& kind : registry()) {
    EXPECT_TRUE(names.insert(kind.name).second) << "kind listed twice: " << kind.name;
    EXPECT_TRUE(kind.write || kind.drop || kind.load) << kind.name << " does nothing";
    for (const auto& q : kind.queries) {
      auto text = query_for(q.stem, PgVersion(PgVersion::kNewestMajor * 10000));
      ASSERT_TRUE(text) << q.stem;
      EXPECT_NE(text->find("SELECT"), std::string_view::npos) << q.stem;
    }
    if (!kind.drop) continue;
    for (int major = PgVersion::kOldestMajor; major <= PgVersion::kNewestMajor; ++major) {
      auto text = query_for(kind.drop->stem, PgVersion(major * 10000));
      ASSERT_TRUE(text) << kind.drop->stem << " on " << major;
      EXPECT_NE(text->find("$1"), std::string_view::npos) << kind.drop->stem << " must filter by the schema";
    }
  }
}

// The embedded text is the file as it is: the generator neither drops nor adds anything.
TEST(SchemaKinds, EmbeddedFilesAreSortedAndNonEmpty) {
  const auto& files = sql_files();
  ASSERT_FALSE(files.empty());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_FALSE(files[i].text.empty()) << files[i].name;
    EXPECT_EQ(files[i].text.substr(0, 3), "-- ") << files[i].name << " starts with the comment naming it";
    EXPECT_NE(files[i].text.find(std::string(files[i].name)), std::string_view::npos) << files[i].name;
    if (i) {
      EXPECT_LT(files[i - 1].name, files[i].name);
    }
  }
}
