#include "crypto/encrypted_stream.hpp"

#include <sodium.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "crypto/sodium_init.hpp"

namespace crm::crypto {
namespace {

using State = crypto_secretstream_xchacha20poly1305_state;

static_assert(kChunkOverheadBytes == crypto_secretstream_xchacha20poly1305_ABYTES);
static_assert(kStreamHeaderBytes == kStreamPrefixBytes + crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(kStreamMagic.size() == 8);

void put_u32le(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint32_t get_u32le(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// The state holds the running key: keep it in locked memory that is wiped when freed.
State* new_state() {
  auto* s = static_cast<State*>(sodium_malloc(sizeof(State)));
  if (!s) throw std::bad_alloc();
  return s;
}

SecureBytes stream_key(const DataKey& key) {
  return derive_subkey(key, SubkeyPurpose::stream, crypto_secretstream_xchacha20poly1305_KEYBYTES);
}

unsigned char* u8(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

StreamEncryptor::StreamEncryptor(const DataKey& key, std::string_view binding, CipherOutput out,
                                 std::size_t chunk_bytes)
    : out_(std::move(out)), chunk_bytes_(chunk_bytes) {
  ensure_sodium();
  if (chunk_bytes < kMinChunkBytes || chunk_bytes > kMaxChunkBytes) {
    throw std::invalid_argument(fmt::format("chunk size {} outside {}..{}", chunk_bytes, kMinChunkBytes, kMaxChunkBytes));
  }
  std::string header(kStreamHeaderBytes, '\0');
  std::memcpy(header.data(), kStreamMagic.data(), kStreamMagic.size());
  put_u32le(header.data() + 8, kStreamFormatVersion);
  put_u32le(header.data() + 12, static_cast<std::uint32_t>(chunk_bytes));
  state_ = new_state();
  SecureBytes k = stream_key(key);
  crypto_secretstream_xchacha20poly1305_init_push(static_cast<State*>(state_), u8(header) + kStreamPrefixBytes, k.data());
  associated_.assign(header, 0, kStreamPrefixBytes);
  associated_.append(binding);
  pending_.reserve(chunk_bytes);
  cipher_.resize(chunk_bytes + kChunkOverheadBytes);
  out_(header);
}

StreamEncryptor::~StreamEncryptor() { sodium_free(state_); }

void StreamEncryptor::push(std::string_view chunk, bool final_chunk) {
  unsigned long long len = 0;
  crypto_secretstream_xchacha20poly1305_push(
      static_cast<State*>(state_), u8(cipher_), &len, reinterpret_cast<const unsigned char*>(chunk.data()), chunk.size(),
      u8(associated_), associated_.size(),
      final_chunk ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  out_(std::string_view(cipher_.data(), static_cast<std::size_t>(len)));
}

void StreamEncryptor::write(std::string_view plaintext) {
  if (finished_) throw std::logic_error("write to an encrypted stream after finish()");
  plaintext_bytes_ += plaintext.size();
  while (!plaintext.empty()) {
    // A full chunk is sent only once more bytes follow: the last chunk must carry FINAL.
    if (pending_.size() == chunk_bytes_) {
      push(pending_, false);
      pending_.clear();
    }
    // Whole chunks with more bytes after them are encrypted where they are, without a copy
    // (the chunking, and so the output, is the same as through pending_).
    while (pending_.empty() && plaintext.size() > chunk_bytes_) {
      push(plaintext.substr(0, chunk_bytes_), false);
      plaintext.remove_prefix(chunk_bytes_);
    }
    std::size_t take = std::min(chunk_bytes_ - pending_.size(), plaintext.size());
    pending_.append(plaintext.substr(0, take));
    plaintext.remove_prefix(take);
  }
}

void StreamEncryptor::finish() {
  if (finished_) return;
  push(pending_, true);
  pending_.clear();
  finished_ = true;
}

StreamDecryptor::StreamDecryptor(const DataKey& key, std::string_view binding, std::string part_name, CipherInput in)
    : key_(stream_key(key)), binding_(binding), part_(std::move(part_name)), in_(std::move(in)) {
  state_ = new_state();
}

StreamDecryptor::~StreamDecryptor() { sodium_free(state_); }

void StreamDecryptor::fail(StreamError::Kind kind, const std::string& why) const {
  throw StreamError(kind, fmt::format("encrypted part {}: {}", part_, why));
}

std::size_t StreamDecryptor::fill(char* buf, std::size_t want) {
  std::size_t got = 0;
  while (got < want) {
    std::size_t n = in_(buf + got, want - got);
    if (n == 0) break;
    got += n;
  }
  return got;
}

void StreamDecryptor::read_header() {
  char header[kStreamHeaderBytes];
  std::size_t got = fill(header, sizeof header);
  if (got < kStreamMagic.size() || std::memcmp(header, kStreamMagic.data(), kStreamMagic.size()) != 0) {
    if (got == 0) fail(StreamError::Kind::truncated, "empty (the header is missing)");
    if (got < kStreamMagic.size() && std::memcmp(header, kStreamMagic.data(), got) == 0) {
      fail(StreamError::Kind::truncated, "cut inside the header");
    }
    fail(StreamError::Kind::not_encrypted, "not an encrypted crmbackup-native part (wrong magic)");
  }
  if (got < kStreamHeaderBytes) fail(StreamError::Kind::truncated, "cut inside the header");
  std::uint32_t version = get_u32le(header + 8);
  if (version != kStreamFormatVersion) {
    fail(StreamError::Kind::unsupported,
         fmt::format("format version {} is not supported (this program reads version {})", version, kStreamFormatVersion));
  }
  chunk_bytes_ = get_u32le(header + 12);
  if (chunk_bytes_ < kMinChunkBytes || chunk_bytes_ > kMaxChunkBytes) {
    fail(StreamError::Kind::unsupported, fmt::format("chunk size {} outside {}..{}", chunk_bytes_, kMinChunkBytes,
                                                     kMaxChunkBytes));
  }
  if (crypto_secretstream_xchacha20poly1305_init_pull(
          static_cast<State*>(state_), reinterpret_cast<const unsigned char*>(header) + kStreamPrefixBytes,
          key_.data()) != 0) {
    fail(StreamError::Kind::authentication, "invalid stream header");
  }
  associated_.assign(header, kStreamPrefixBytes);
  associated_.append(binding_);
  cipher_.resize(chunk_bytes_ + kChunkOverheadBytes);
  plain_.resize(chunk_bytes_);
  header_read_ = true;
}

void StreamDecryptor::next_chunk() {
  std::size_t got = fill(cipher_.data(), cipher_.size());
  if (got == 0) fail(StreamError::Kind::truncated, fmt::format("ends after chunk {} without the final chunk", chunk_index_));
  bool cut = got < cipher_.size();
  unsigned long long len = 0;
  unsigned char tag = 0;
  if (got < kChunkOverheadBytes) fail(StreamError::Kind::truncated, fmt::format("cut inside chunk {}", chunk_index_));
  if (crypto_secretstream_xchacha20poly1305_pull(static_cast<State*>(state_), u8(plain_), &len, &tag, u8(cipher_), got,
                                                 u8(associated_), associated_.size()) != 0) {
    fail(StreamError::Kind::authentication,
         fmt::format("chunk {} failed authentication{}: the part is damaged, truncated or has bytes appended, its chunks "
                     "are out of order, or it belongs to another set or role or was encrypted with another key",
                     chunk_index_, cut ? " (input ended inside it)" : ""));
  }
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    char extra = 0;
    if (fill(&extra, 1) != 0) fail(StreamError::Kind::trailing_data, fmt::format("bytes follow the final chunk {}", chunk_index_));
    finished_ = true;
  } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    fail(StreamError::Kind::authentication, fmt::format("chunk {} has an unexpected tag {}", chunk_index_, tag));
  } else if (cut) {
    // An authenticated non-final chunk is always full; a short one cannot come from the writer.
    fail(StreamError::Kind::truncated, fmt::format("ends inside chunk {} without the final chunk", chunk_index_));
  }
  plain_pos_ = 0;
  plain_len_ = static_cast<std::size_t>(len);
  ++chunk_index_;
}

std::size_t StreamDecryptor::read(char* buf, std::size_t cap) {
  if (!header_read_) read_header();
  while (plain_pos_ == plain_len_) {
    if (finished_) return 0;
    next_chunk();
  }
  std::size_t n = std::min(cap, plain_len_ - plain_pos_);
  std::memcpy(buf, plain_.data() + plain_pos_, n);
  plain_pos_ += n;
  return n;
}

std::string encrypt_buffer(const DataKey& key, std::string_view binding, std::string_view plaintext,
                           std::size_t chunk_bytes) {
  std::string out;
  out.reserve(kStreamHeaderBytes + plaintext.size() + (plaintext.size() / chunk_bytes + 1) * kChunkOverheadBytes);
  StreamEncryptor enc(key, binding, [&out](std::string_view b) { out.append(b); }, chunk_bytes);
  enc.write(plaintext);
  enc.finish();
  return out;
}

std::string decrypt_buffer(const DataKey& key, std::string_view binding, std::string_view part_name,
                           std::string_view ciphertext) {
  StreamDecryptor dec(key, binding, std::string(part_name), [&ciphertext](char* buf, std::size_t cap) {
    std::size_t n = std::min(cap, ciphertext.size());
    std::memcpy(buf, ciphertext.data(), n);
    ciphertext.remove_prefix(n);
    return n;
  });
  std::string out;
  char buf[64 * 1024];
  while (std::size_t n = dec.read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

}  // namespace crm::crypto
