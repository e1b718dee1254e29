#include "engine/io/sink.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zstd.h>

#include <fstream>
#include <sstream>

using namespace crm::engine;
namespace fs = std::filesystem;

namespace {
fs::path temp_dir() {
  char tmpl[] = "/tmp/crm-unit-XXXXXX";
  return fs::path(mkdtemp(tmpl));
}
std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
}  // namespace

TEST(Hash, Xxh3KnownVectorsAndStreamingAgree) {
  // XXH3-128 of the empty input, canonical form (reference value of xxHash 0.8).
  EXPECT_EQ(xxh3_128_hex(""), "99aa06d3014798d86001c324468d497f");
  Xxh3Hasher h;
  h.update("hello ");
  h.update("world");
  EXPECT_EQ(h.hex(), xxh3_128_hex("hello world"));
  EXPECT_NE(xxh3_128_hex("hello world"), xxh3_128_hex("hello worle"));
}

TEST(AtomicFile, AppearsOnlyOnCommitWithMode0600) {
  auto dir = temp_dir();
  mode_t old = umask(0);
  {
    AtomicFile f(dir / "x.sql");
    f.write("abc");
    EXPECT_FALSE(fs::exists(dir / "x.sql"));
    EXPECT_TRUE(fs::exists(f.temp_path()));
    f.commit();
    EXPECT_EQ(f.bytes(), 3u);
    EXPECT_EQ(f.hash_hex(), xxh3_128_hex("abc"));
  }
  umask(old);
  struct stat st{};
  ASSERT_EQ(stat((dir / "x.sql").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(slurp(dir / "x.sql"), "abc");
  fs::remove_all(dir);
}

TEST(AtomicFile, AbandonedFileLeavesNothing) {
  auto dir = temp_dir();
  {
    AtomicFile f(dir / "y.sql");
    f.write(std::string(3 << 20, 'x'));
  }
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(ZstdSink, RoundTripsThroughZstdDecompression) {
  StringSink raw;
  std::string input;
  for (int i = 0; i < 100000; ++i) input += "row " + std::to_string(i) + "\n";
  {
    ZstdSink z(raw, 3);
    z.write(input.substr(0, 1000));
    z.write(input.substr(1000));
    z.finish();
  }
  EXPECT_LT(raw.str().size(), input.size() / 4);
  unsigned long long n = ZSTD_getFrameContentSize(raw.str().data(), raw.str().size());
  std::string out;
  if (n == ZSTD_CONTENTSIZE_UNKNOWN) {
    ZSTD_DStream* ds = ZSTD_createDStream();
    ZSTD_inBuffer in{raw.str().data(), raw.str().size(), 0};
    std::string buf(1 << 16, '\0');
    while (in.pos < in.size) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      ASSERT_FALSE(ZSTD_isError(ZSTD_decompressStream(ds, &o, &in)));
      out.append(buf.data(), o.pos);
    }
    ZSTD_freeDStream(ds);
  }
  EXPECT_EQ(out, input);
}

TEST(PrivateDirectory, CreatedWith0700WhateverTheUmask) {
  auto dir = temp_dir();
  mode_t old = umask(0);
  create_private_directory(dir / "a" / "b");
  umask(old);
  struct stat st{};
  ASSERT_EQ(stat((dir / "a" / "b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  fs::remove_all(dir);
}
