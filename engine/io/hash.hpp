#pragma once
// XXH3-128, the one content hash of the project: manifests, per-table payloads, attachments.
#include <filesystem>
#include <string>
#include <string_view>



namespace crm::engine {

class Xxh3Hasher {
 public:
  Xxh3Hasher();
  ~Xxh3Hasher();
  Xxh3Hasher(const Xxh3Hasher&) = delete;
  Xxh3Hasher& operator=(const Xxh3Hasher&) = delete;
  Xxh3Hasher(Xxh3Hasher&& other) noexcept;
  Xxh3Hasher& operator=(Xxh3Hasher&& other) noexcept;

  void update(std::string_view bytes);
  std::string hex() const;  // 32 lowercase hex digits, canonical (big-endian) order
  void reset();

 private:
  void* state_;  // XXH3_state_t, kept opaque so callers need not include xxhash.h
};

std::string xxh3_128_hex(std::string_view bytes);
// Hashes a file by streaming it; throws std::runtime_error naming the file on I/O errors.
std::string xxh3_128_file(const std::filesystem::path& path, std::uint64_t* size_out = nullptr);

}  // namespace crm::engine
