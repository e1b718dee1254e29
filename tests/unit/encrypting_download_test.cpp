// engine::EncryptingDownload: what a download's file receives is one encrypted part of the body,
// bound to the attachment, and the stored size and hash it reports are those of that file.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "crypto/encrypted_stream.hpp"
#include "engine/backup/encrypting_download.hpp"
#include "engine/io/hash.hpp"

using namespace crm;

namespace {

TEST(EncryptingDownload, FileGetsTheEncryptedBodyAndTheStoredFileIsReportedAtTheEnd) {
  const crypto::DataKey key = crypto::DataKey::generate();
  const std::string binding = "backup-x/attachments/contacts/a.pdf";
  std::string body;
  for (int i = 0; body.size() < 200'000; ++i) body += "attachment line " + std::to_string(i) + "\n";

  std::string file;
  std::optional<engine::StoredFile> stored;
  engine::EncryptingDownload d(key, binding, [&](std::string_view b) { file.append(b); },
                               [&](engine::StoredFile f) { stored = f; });
  // Pieces of uneven sizes, as libcurl hands them over.
  for (std::size_t at = 0, step = 1; at < body.size(); at += step, step = step * 3 % 70'001 + 1)
    d.write(std::string_view(body).substr(at, step));
  EXPECT_FALSE(stored) << "reported before the body ended";
  d.finish();

  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size, file.size());
  EXPECT_EQ(stored->xxh3_128, engine::xxh3_128_hex(file));
  EXPECT_EQ(file.find("attachment line"), std::string::npos);
  EXPECT_EQ(crypto::decrypt_buffer(key, binding, "a.pdf", file), body);
  // Bound to its attachment: under another path it does not decrypt.
  EXPECT_THROW(crypto::decrypt_buffer(key, "backup-x/attachments/contacts/b.pdf", "b.pdf", file), crypto::StreamError);
}

TEST(EncryptingDownload, AnEmptyBodyIsAWholeEncryptedPart) {
  const crypto::DataKey key = crypto::DataKey::generate();
  std::string file;
  std::optional<engine::StoredFile> stored;
  engine::EncryptingDownload d(key, "s/attachments/empty", [&](std::string_view b) { file.append(b); },
                               [&](engine::StoredFile f) { stored = f; });
  d.finish();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size, 40u + 17u);  // header and one empty FINAL chunk
  EXPECT_EQ(crypto::decrypt_buffer(key, "s/attachments/empty", "empty", file), "");
}

}  // namespace
