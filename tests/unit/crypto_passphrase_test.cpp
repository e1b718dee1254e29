// Where the passphrase comes from, and passphrase files open to others refused as ssh does.
#include "crypto/passphrase_source.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

using namespace crm::crypto;
namespace fs = std::filesystem;

namespace {

const std::string kSecret = "s3cret-passphrase-4b9e";

class PassphraseFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crm-pass-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content, mode_t mode) {
    std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    ::chmod(p.c_str(), mode);
    return p;
  }
  fs::path dir_;
};

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::string text_of(const Passphrase& p) {
  return std::string(reinterpret_cast<const char*>(p.bytes().data()), p.bytes().size());
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const PassphraseError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_F(PassphraseFile, FlagThenFileVariableThenVariable) {
  std::string flag_file = write("flag", "from-flag\n", 0600);
  std::string env_file = write("env", "from-env-file", 0600);
  auto env = env_of({{kPassphraseEnv, "from-env"}, {kPassphraseFileEnv, env_file}});
  EXPECT_EQ(text_of(*resolve_passphrase(flag_file, env)), "from-flag");
  EXPECT_EQ(text_of(*resolve_passphrase(std::nullopt, env)), "from-env-file");
  EXPECT_EQ(text_of(*resolve_passphrase(std::nullopt, env_of({{kPassphraseEnv, "from-env"}}))), "from-env");
  EXPECT_FALSE(resolve_passphrase(std::nullopt, env_of({})).has_value());
}

TEST_F(PassphraseFile, OneTrailingNewlineIsDroppedInnerSpacesKept) {
  EXPECT_EQ(text_of(read_passphrase_file(write("a", "two words \n", 0600), "test")), "two words ");
  EXPECT_EQ(text_of(read_passphrase_file(write("b", "crlf\r\n", 0600), "test")), "crlf");
  EXPECT_EQ(text_of(read_passphrase_file(write("c", "two\n\n", 0600), "test")), "two\n");
  EXPECT_EQ(text_of(read_passphrase_file(write("d", "none", 0400), "test")), "none");
}

TEST_F(PassphraseFile, FilesOpenToGroupOrOthersAreRefusedWithTheFix) {
  for (mode_t mode : {0640, 0604, 0660, 0644, 0666, 0610}) {
    std::string p = write("open", kSecret, mode);
    std::string msg = error_of([&] { resolve_passphrase(p, env_of({})); });
    EXPECT_NE(msg.find("chmod 600 " + p), std::string::npos) << msg;
    EXPECT_EQ(msg.find(kSecret), std::string::npos) << msg;
  }
  std::string p = write("env-open", kSecret, 0644);
  std::string msg = error_of([&] { resolve_passphrase(std::nullopt, env_of({{kPassphraseFileEnv, p}})); });
  EXPECT_NE(msg.find(kPassphraseFileEnv), std::string::npos) << msg;
  EXPECT_NE(msg.find("chmod 600"), std::string::npos) << msg;
}

TEST_F(PassphraseFile, AFileOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  std::string p = write("theirs", kSecret, 0600);
  ASSERT_EQ(::chown(p.c_str(), 65534, 65534), 0);
  std::string msg = error_of([&] { read_passphrase_file(p, "test"); });
  EXPECT_NE(msg.find("another user"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(kSecret), std::string::npos) << msg;
}

TEST_F(PassphraseFile, EmptyMissingOversizedAndNonRegularAreRefusedByName) {
  std::vector<std::string> paths = {write("empty", "\n", 0600), (dir_ / "missing").string(),
                                    write("big", std::string(kMaxPassphraseBytes + 1, 'x'), 0600), dir_.string()};
  for (const auto& p : paths) {
    std::string msg = error_of([&] { read_passphrase_file(p, "--passphrase-file"); });
    EXPECT_NE(msg.find(p), std::string::npos) << msg;
  }
  // Exactly the maximum is accepted.
  EXPECT_EQ(read_passphrase_file(write("max", std::string(kMaxPassphraseBytes, 'y'), 0600), "t").bytes().size(),
            kMaxPassphraseBytes);
  EXPECT_THROW(resolve_passphrase(std::nullopt, env_of({{kPassphraseEnv, ""}})), PassphraseError);
  EXPECT_THROW(resolve_passphrase(std::nullopt, env_of({{kPassphraseFileEnv, ""}})), PassphraseError);
  EXPECT_THROW(resolve_passphrase(std::string(), env_of({})), PassphraseError);
}

TEST(SecureBytes, MovesAndTruncatesWithoutLeavingTheOldBuffer) {
  Passphrase p = Passphrase::from_text("abcdef");
  SecureBytes b(p.bytes().data(), p.bytes().size());
  b.truncate(3);
  EXPECT_EQ(b.size(), 3u);
  SecureBytes moved = std::move(b);
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(moved.data()), moved.size()), "abc");
  EXPECT_TRUE(moved.equals(SecureBytes(reinterpret_cast<const unsigned char*>("abc"), 3)));
  EXPECT_FALSE(moved.equals(SecureBytes(reinterpret_cast<const unsigned char*>("abd"), 3)));
}
