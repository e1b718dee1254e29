#include "crypto/sodium_init.hpp"

#include <sodium.h>

#include <stdexcept>

namespace crm::crypto {

void ensure_sodium() {
  // 0: initialised now, 1: already initialised, -1: failure.
  if (sodium_init() < 0) throw std::runtime_error("cannot initialise libsodium (no usable random source?)");
}

}  // namespace crm::crypto
