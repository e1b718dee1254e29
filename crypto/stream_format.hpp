#pragma once
// The framing of an encrypted part (docs/encryption-format.md has the byte layout):
//   header: magic "CRMBKENC" | format version u32 LE | chunk size u32 LE | secretstream header (24)
//   chunks: each the crypto_secretstream_xchacha20poly1305 encryption of `chunk size` plaintext
//           bytes (the last one: 0..chunk size bytes, tagged FINAL), 17 bytes longer than its
//           plaintext. No length fields: a chunk's extent follows from the chunk size.
// Associated data of every chunk: the first 16 header bytes followed by the binding (set and
// role, e.g. "backup-2026-12-03-020000/data.sql").
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace crm::crypto {

inline constexpr std::string_view kStreamMagic = "CRMBKENC";
inline constexpr std::uint32_t kStreamFormatVersion = 1;
inline constexpr std::size_t kStreamPrefixBytes = 16;  // magic + version + chunk size
inline constexpr std::size_t kStreamHeaderBytes = kStreamPrefixBytes + 24;
inline constexpr std::size_t kChunkOverheadBytes = 17;  // crypto_secretstream_xchacha20poly1305_ABYTES
inline constexpr std::size_t kDefaultChunkBytes = 64 * 1024;
// Accepted chunk sizes; the upper bound keeps a hostile header from making the reader
// allocate without limit (memory is two chunks).
inline constexpr std::size_t kMinChunkBytes = 64;
inline constexpr std::size_t kMaxChunkBytes = 16 * 1024 * 1024;

}  // namespace crm::crypto
