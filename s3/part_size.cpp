#include "s3/part_size.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "s3/errors.hpp"

namespace crm::s3 {

std::uint64_t choose_part_size(std::optional<std::uint64_t> expected, std::uint64_t preferred) {
  std::uint64_t part = preferred ? preferred : kDefaultPartSize;
  if (expected) {
    if (*expected > kMaxObjectSize)
      throw S3Error(ErrorKind::kLocal,
                    fmt::format("an object of {} bytes exceeds S3's limit of {} bytes", *expected, kMaxObjectSize));
    constexpr std::uint64_t kTargetParts = kMaxParts / 2;
    std::uint64_t needed = (*expected + kTargetParts - 1) / kTargetParts;
    part = std::max(part, (needed + kMiB - 1) / kMiB * kMiB);
  }
  return std::clamp(part, kMinPartSize, kMaxPartSize);
}

}  // namespace crm::s3
