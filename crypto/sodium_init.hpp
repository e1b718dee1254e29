#pragma once
// libsodium must be initialised once before use (it picks the fastest implementations and
// seeds its random generator). sodium_init() is itself thread-safe and idempotent, so every
// entry point of this library calls ensure_sodium() instead of relying on a global constructor.
namespace crm::crypto {

// Throws std::runtime_error if libsodium cannot be initialised (no usable random source).
void ensure_sodium();

}  // namespace crm::crypto
