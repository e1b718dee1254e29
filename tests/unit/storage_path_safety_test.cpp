#include "engine/backupset/path_safety.hpp"

#include <gtest/gtest.h>

using namespace crm::engine;

TEST(StoragePathSafety, RefusesNamesThatEscapeOrCannotBeStored) {
  const std::vector<std::string> bad = {"", "../x", "a/../../x", "a/..", "..", "./x", "a/./b", "/etc/passwd",
                                        "a//b", "a/", "back\\slash", std::string("nul\0x", 5),
                                        std::string(256, 'a'), "ok/" + std::string(250, 'b'),  // + ".partial" > 255
                                        std::string(5000, 'c')};
  for (const auto& n : bad) EXPECT_TRUE(unsafe_name_reason(n).has_value()) << printable_name(n);
  EXPECT_TRUE(unsafe_name_reason(std::string(3000, 'd') + "/" + "x", 2000).has_value());
}

TEST(StoragePathSafety, AcceptsEveryAwkwardButSafeName) {
  for (const char* n : {" leading.pdf", "trailing.pdf ", "a+b&c;d=e!f?g$h*i@j:k,l'm(n).pdf", "ünïcödé ✓.pdf",
                        "hash#tag.txt", "per%cent.txt", "%2e%2e%2f", "tilde~x", "[brackets]", "...", ".hidden",
                        "a/b c/d", "..x", "x.."})
    EXPECT_FALSE(unsafe_name_reason(n).has_value()) << n;
}

TEST(StoragePathSafety, LocalPathStaysUnderTheRoot) {
  std::filesystem::path root = "/backups/set-attachments";
  auto p = local_path_for(root, "a b/c.pdf");
  EXPECT_EQ(p, root / "a b" / "c.pdf");
  try {
    local_path_for(root, "../../etc/cron.d/x");
    FAIL();
  } catch (const UnsafeObjectName& e) {
    EXPECT_NE(std::string(e.what()).find("../../etc/cron.d/x"), std::string::npos);  // names the object
  }
  EXPECT_EQ(printable_name(std::string("a\0b\n", 4)), "a\\x00b\\x0a");
}

TEST(StoragePathSafety, FindsNamesThatCannotCoexistOnDisk) {
  auto c = local_conflicts({"a", "a/b", "ab", "x", "x.partial", "y.partial"});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].first, "a");
  EXPECT_EQ(c[1].first, "x.partial");
}
