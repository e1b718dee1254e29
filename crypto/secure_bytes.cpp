#include "crypto/secure_bytes.hpp"

#include <sodium.h>

#include <algorithm>
#include <new>
#include <utility>

#include "crypto/sodium_init.hpp"

namespace crm::crypto {

SecureBytes::SecureBytes(std::size_t size) : size_(size) {
  ensure_sodium();
  // sodium_malloc(0) is allowed, but one byte keeps data() non-null for every caller.
  data_ = static_cast<unsigned char*>(sodium_malloc(size ? size : 1));
  if (!data_) throw std::bad_alloc();
  sodium_memzero(data_, size ? size : 1);
}

SecureBytes::SecureBytes(const unsigned char* data, std::size_t size) : SecureBytes(size) {
  if (size) std::copy(data, data + size, data_);
}

SecureBytes::~SecureBytes() {
  if (data_) sodium_free(data_);  // zeroes before freeing
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    if (data_) sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SecureBytes::truncate(std::size_t new_size) {
  if (new_size >= size_) return;
  sodium_memzero(data_ + new_size, size_ - new_size);
  size_ = new_size;
}

bool SecureBytes::equals(const SecureBytes& other) const {
  return size_ == other.size_ && (size_ == 0 || sodium_memcmp(data_, other.data_, size_) == 0);
}

Passphrase Passphrase::from_text(std::string_view text) {
  return Passphrase(SecureBytes(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
}

}  // namespace crm::crypto
