#pragma once
// Multipart part sizes within S3's limits: parts of 5 MiB to 5 GiB, at most 10,000 of them.
#include <cstdint>
#include <optional>

namespace crm::s3 {

inline constexpr std::uint64_t kMiB = 1024ull * 1024ull;
inline constexpr std::uint64_t kMinPartSize = 5 * kMiB;
inline constexpr std::uint64_t kMaxPartSize = 5 * 1024 * kMiB;
inline constexpr std::uint64_t kMaxParts = 10000;
inline constexpr std::uint64_t kDefaultPartSize = 8 * kMiB;
inline constexpr std::uint64_t kMaxObjectSize = 5ull * 1024 * 1024 * kMiB;  // 5 TiB

// The part size for an object of about `expected` bytes: `preferred` (0: the default) unless
// the object would then need more than 5,000 parts — half the limit, so a stream that ends up
// twice as large as expected still fits — rounded up to whole MiB and clamped to S3's limits.
// Throws S3Error kLocal when `expected` exceeds S3's 5 TiB object limit.
std::uint64_t choose_part_size(std::optional<std::uint64_t> expected, std::uint64_t preferred = 0);

}  // namespace crm::s3
