// The engine adaptors: plain -> zstd -> encrypt -> AtomicFile, and back through
// DecryptingSource -> ZstdReader, bounded pieces all the way.
#include "engine/io/decrypting_source.hpp"
#include "engine/io/encrypting_sink.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <random>

#include "engine/io/sink.hpp"
#include "engine/io/zstd_reader.hpp"

using namespace crm::engine;
namespace fs = std::filesystem;

namespace {
std::string sql_like(std::size_t bytes) {
  std::mt19937 rng(9);
  std::string s;
  while (s.size() < bytes) s += std::to_string(rng()) + "\tjane" + std::to_string(rng() % 1000) + "@example.com\n";
  return s;
}
}  // namespace

TEST(EncryptingSink, ZstdThenEncryptToAFileReadsBackThroughTheSources) {
  char tmpl[] = "/tmp/crm-enc-XXXXXX";
  fs::path dir = mkdtemp(tmpl);
  const std::string plain = sql_like(1 << 20);
  auto key = crm::crypto::DataKey::generate();
  const std::string binding = "backup-2026-12-03-020000/data.sql";
  {
    AtomicFile file(dir / "data.sql.zst.enc");
    EncryptingSink enc(file, key, binding);
    ZstdSink z(enc, 3);
    for (std::size_t off = 0; off < plain.size(); off += 10000) z.write(std::string_view(plain).substr(off, 10000));
    z.finish();
    enc.finish();
    file.commit();
  }
  fs::path path = dir / "data.sql.zst.enc";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_LT(static_cast<std::size_t>(st.st_size), plain.size() / 2);  // compressed before encryption

  auto source = std::make_unique<DecryptingSource>(std::make_unique<crm::pg::FileSource>(path.string()), key, binding,
                                                   path.string());
  ZstdReader reader(std::move(source), path.string());
  std::string out;
  char buf[4096];
  while (std::size_t n = reader.read(buf, sizeof buf)) out.append(buf, n);
  EXPECT_EQ(out, plain);

  // The same file under another role's binding is refused, naming the file.
  DecryptingSource wrong(std::make_unique<crm::pg::FileSource>(path.string()), key, "backup-2026-12-03-020000/roles.sql",
                         path.string());
  try {
    wrong.read(buf, sizeof buf);
    ADD_FAILURE() << "a part bound to data.sql was read as roles.sql";
  } catch (const crm::crypto::StreamError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}
