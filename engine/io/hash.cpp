#include "engine/io/hash.hpp"

#include <xxhash.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace crm::engine {
namespace {

XXH3_state_t* st(void* p) { return static_cast<XXH3_state_t*>(p); }

std::string to_hex(const XXH128_hash_t& h) {
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, h);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[canon.digest[i] >> 4];
    out[2 * i + 1] = kHex[canon.digest[i] & 15];
  }
  return out;
}

}  // namespace

Xxh3Hasher::Xxh3Hasher() : state_(XXH3_createState()) {
  if (!state_) throw std::bad_alloc();
  XXH3_128bits_reset(st(state_));
}
Xxh3Hasher::~Xxh3Hasher() {
  if (state_) XXH3_freeState(st(state_));
}
Xxh3Hasher::Xxh3Hasher(Xxh3Hasher&& o) noexcept : state_(o.state_) { o.state_ = nullptr; }
Xxh3Hasher& Xxh3Hasher::operator=(Xxh3Hasher&& o) noexcept {
  std::swap(state_, o.state_);
  return *this;
}
void Xxh3Hasher::update(std::string_view bytes) { XXH3_128bits_update(st(state_), bytes.data(), bytes.size()); }
std::string Xxh3Hasher::hex() const { return to_hex(XXH3_128bits_digest(st(state_))); }
void Xxh3Hasher::reset() { XXH3_128bits_reset(st(state_)); }

std::string xxh3_128_hex(std::string_view bytes) { return to_hex(XXH3_128bits(bytes.data(), bytes.size())); }

std::string xxh3_128_file(const std::filesystem::path& path, std::uint64_t* size_out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  Xxh3Hasher h;
  std::vector<char> buf(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(e));
    }
    if (n == 0) break;
    h.update(std::string_view(buf.data(), static_cast<size_t>(n)));
    total += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  if (size_out) *size_out = total;
  return h.hex();
}

}  // namespace crm::engine
