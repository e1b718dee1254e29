#pragma once
// Streaming authenticated encryption of one part (a SQL file, an attachment blob) with
// crypto_secretstream_xchacha20poly1305 under the data key's stream subkey. The binding
// (set and role) is associated data of every chunk, so a part moved to another set or role
// does not decrypt. Truncation, reordering, altered bytes and trailing bytes are all errors
// naming the part. Memory is bounded by the chunk size, whatever the part's size.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "crypto/data_key.hpp"
#include "crypto/stream_format.hpp"

namespace crm::crypto {

// An encrypted part that cannot be decrypted; what() names the part and says why.
class StreamError : public std::runtime_error {
 public:
  enum class Kind {
    not_encrypted,       // no or wrong magic
    unsupported,         // unknown version, chunk size out of range
    truncated,           // header cut, or the end came before the FINAL chunk
    authentication,      // altered, reordered, from another set/role, another key, or bytes
                         // appended to a short final chunk (they become part of it)
    trailing_data,       // bytes after a full-size FINAL chunk
  };
  StreamError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Receives ciphertext (the header first, then whole chunks).
using CipherOutput = std::function<void(std::string_view)>;
// Fills up to cap bytes, returns 0 only at the end of the input.
using CipherInput = std::function<std::size_t(char* buf, std::size_t cap)>;

class StreamEncryptor {
 public:
  // Writes the header to `out` at once.
  StreamEncryptor(const DataKey& key, std::string_view binding, CipherOutput out,
                  std::size_t chunk_bytes = kDefaultChunkBytes);
  ~StreamEncryptor();
  StreamEncryptor(const StreamEncryptor&) = delete;
  StreamEncryptor& operator=(const StreamEncryptor&) = delete;

  void write(std::string_view plaintext);
  // Emits the FINAL chunk (empty if everything was already sent). Required: a part without
  // it is read as truncated.
  void finish();
  std::uint64_t plaintext_bytes() const { return plaintext_bytes_; }

 private:
  void push(std::string_view chunk, bool final_chunk);

  CipherOutput out_;
  std::size_t chunk_bytes_;
  std::string associated_;
  void* state_;  // crypto_secretstream_xchacha20poly1305_state, in sodium_malloc'd memory
  std::string pending_;
  std::string cipher_;
  std::uint64_t plaintext_bytes_ = 0;
  bool finished_ = false;
};

class StreamDecryptor {
 public:
  // part_name is for error messages only; binding must equal the encryptor's.
  StreamDecryptor(const DataKey& key, std::string_view binding, std::string part_name, CipherInput in);
  ~StreamDecryptor();
  StreamDecryptor(const StreamDecryptor&) = delete;
  StreamDecryptor& operator=(const StreamDecryptor&) = delete;

  // Plaintext, up to cap bytes; 0 only after the FINAL chunk was authenticated and the input
  // ended right after it. Throws StreamError.
  std::size_t read(char* buf, std::size_t cap);

 private:
  void read_header();
  void next_chunk();
  std::size_t fill(char* buf, std::size_t want);
  [[noreturn]] void fail(StreamError::Kind kind, const std::string& why) const;

  SecureBytes key_;
  std::string binding_;
  std::string part_;
  CipherInput in_;
  std::string associated_;
  void* state_;
  std::size_t chunk_bytes_ = 0;
  std::string cipher_;
  std::string plain_;
  std::size_t plain_pos_ = 0;
  std::size_t plain_len_ = 0;
  std::uint64_t chunk_index_ = 0;
  bool header_read_ = false;
  bool finished_ = false;
};

// Whole-buffer helpers (small parts, manifests, tests).
std::string encrypt_buffer(const DataKey& key, std::string_view binding, std::string_view plaintext,
                           std::size_t chunk_bytes = kDefaultChunkBytes);
std::string decrypt_buffer(const DataKey& key, std::string_view binding, std::string_view part_name,
                           std::string_view ciphertext);

}  // namespace crm::crypto
