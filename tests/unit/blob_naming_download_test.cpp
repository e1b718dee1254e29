// engine::BlobNamingDownload: an S3-bound attachment is written unchanged while its keyed blob
// name is computed, and the name is the one sealing would compute from the whole file.
#include <gtest/gtest.h>

#include <string>

#include "crypto/blob_name.hpp"
#include "engine/backup/blob_naming_download.hpp"

using namespace crm;

namespace {

TEST(BlobNamingDownload, PassesTheBytesThroughAndNamesTheWholeBodyAtTheEnd) {
  const crypto::DataKey key = crypto::DataKey::generate();
  std::string body;
  for (int i = 0; body.size() < 100'000; ++i) body += "blob line " + std::to_string(i) + "\n";

  std::string file, named;
  engine::BlobNamingDownload d(key, [&](std::string_view b) { file.append(b); },
                               [&](std::string blob) { named = std::move(blob); });
  for (std::size_t at = 0; at < body.size(); at += 7'777) d.write(std::string_view(body).substr(at, 7'777));
  EXPECT_TRUE(named.empty()) << "named before the body ended";
  d.finish();

  EXPECT_EQ(file, body);
  EXPECT_EQ(named, crypto::blob_name(key, body));
  EXPECT_NE(named, crypto::blob_name(crypto::DataKey::generate(), body));
}

}  // namespace
