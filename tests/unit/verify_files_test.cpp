// verify's file checks: every kind of damage is reported with the right file.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/manifest.hpp"
#include "engine/io/hash.hpp"
#include "engine/backupset/verify_files.hpp"

using namespace crm::engine;
namespace fs = std::filesystem;

namespace {

const std::string kPrefix = "backup-2024-01-15-143022";

struct SetFixture : ::testing::Test {
  void SetUp() override {
    char tmpl[] = "/tmp/crm-verify-XXXXXX";
    dir = mkdtemp(tmpl);
    Manifest m;
    m.prefix = kPrefix;
    m.attachments_included = true;
    m.bucket = "attachments";
    for (auto [part, role, body] : {std::tuple{"roles.sql", "roles", "CREATE ROLE x;\n"},
                                    std::tuple{"schema.sql", "schema", "CREATE TABLE t (i int);\n"},
                                    std::tuple{"data.sql", "data", "COPY t (i) FROM stdin;\n1\n\\.\n"}}) {
      write(kPrefix + "-" + part, body);
      m.files.push_back({kPrefix + "-" + part, role, std::string(body).size(), xxh3_128_hex(body)});
    }
    for (auto [path, body] : {std::pair{"a/b c.pdf", std::string(5000, 'p')}, std::pair{"empty", std::string()}}) {
      write(kPrefix + "-attachments/" + path, body);
      m.objects.push_back({path, body.size(), xxh3_128_hex(body), "application/pdf", "no-cache", "", "", "downloaded", ""});
    }
    write(kPrefix + "-manifest.json", manifest_to_json(m));
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& rel, const std::string& body) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel, std::ios::binary) << body;
  }
  std::vector<VerifyProblem> verify() { return verify_set_files(find_set(dir, kPrefix)); }
  void flip_byte(const std::string& rel, size_t offset) {
    std::fstream f(dir / rel, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x01));
  }
  fs::path dir;
};

}  // namespace

TEST_F(SetFixture, AGoodSetHasNoProblems) { EXPECT_TRUE(verify().empty()); }

TEST_F(SetFixture, FlippingAnyByteInAnyFileIsReportedWithThatFile) {
  for (auto rel : {kPrefix + "-roles.sql", kPrefix + "-schema.sql", kPrefix + "-data.sql",
                   kPrefix + "-attachments/a/b c.pdf"}) {
    auto size = fs::file_size(dir / rel);
    for (size_t off : {size_t{0}, size / 2, size - 1}) {
      flip_byte(rel, off);
      auto p = verify();
      ASSERT_EQ(p.size(), 1u) << rel << "@" << off;
      EXPECT_EQ(p[0].file, rel);
      EXPECT_EQ(p[0].kind, "hash");
      flip_byte(rel, off);
    }
  }
  EXPECT_TRUE(verify().empty());
}

TEST_F(SetFixture, TruncatedDeletedAndExtraFilesAreReported) {
  fs::resize_file(dir / (kPrefix + "-data.sql"), 3);
  auto p = verify();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind, "size");
  EXPECT_EQ(p[0].file, kPrefix + "-data.sql");

  SetUp();
  fs::remove(dir / (kPrefix + "-attachments/empty"));
  write(kPrefix + "-attachments/intruder.exe", "x");
  p = verify();
  ASSERT_EQ(p.size(), 2u);
  std::map<std::string, std::string> by_file;
  for (auto& x : p) by_file[x.file] = x.kind;
  EXPECT_EQ(by_file[kPrefix + "-attachments/empty"], "missing");
  EXPECT_EQ(by_file[kPrefix + "-attachments/intruder.exe"], "extra");
}

TEST_F(SetFixture, DeletingASqlFileMakesTheSetIncompleteAndIsNamed) {
  fs::remove(dir / (kPrefix + "-schema.sql"));
  auto set = find_set(dir, kPrefix);
  EXPECT_EQ(set.state, SetState::Incomplete);
  auto p = verify_set_files(set);
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p[0].file, kPrefix + "-schema.sql");
  EXPECT_EQ(p[0].kind, "missing");
}

TEST_F(SetFixture, LegacySetSaysSo) {
  fs::remove(dir / (kPrefix + "-manifest.json"));
  auto p = verify();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind, "legacy");
}
