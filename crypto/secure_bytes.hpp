#pragma once
// Bytes that must not outlive their use: passphrases and keys. They live in sodium_malloc'd
// memory (guard pages, locked against swapping where the system allows) that sodium_free
// zeroes on destruction. Deliberately no operator<< and no conversion to std::string, so a
// secret cannot end up in a log line or an error message by accident.
#include <cstddef>
#include <string_view>

namespace crm::crypto {

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(std::size_t size);  // zero-filled
  SecureBytes(const unsigned char* data, std::size_t size);
  ~SecureBytes();
  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;

  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Shortens the logical size (the tail is zeroed); used to drop a trailing newline.
  void truncate(std::size_t new_size);
  // Constant-time comparison (sodium_memcmp).
  bool equals(const SecureBytes& other) const;

 private:
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// The owner's secret. A distinct type so a passphrase is never passed where a key is expected.
class Passphrase {
 public:
  explicit Passphrase(SecureBytes bytes) : bytes_(std::move(bytes)) {}
  // For tests and callers that already hold the text; the caller's copy is theirs to wipe.
  static Passphrase from_text(std::string_view text);
  const SecureBytes& bytes() const { return bytes_; }

 private:
  SecureBytes bytes_;
};

}  // namespace crm::crypto
