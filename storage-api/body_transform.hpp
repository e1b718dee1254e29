#pragma once
// A download may pass its body through a transform on the way to its file (the engine encrypts
// attachments this way, so their plaintext never reaches the disk). The storage layer knows no
// more of it than this interface: the size and XXH3-128 a download reports stay those of the
// bytes received, and a retried download starts a fresh transform over a fresh file, so a
// transform never sees the bytes of an attempt that failed.
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

namespace crm::storage {

class BodyTransform {
 public:
  // Appends to the download's file; throws std::system_error (with the errno) when it cannot.
  using Output = std::function<void(std::string_view)>;
  virtual ~BodyTransform() = default;
  // The next received bytes.
  virtual void write(std::string_view received) = 0;
  // The body ended and passed its size check: write whatever is still held back.
  virtual void finish() = 0;
};

// Called at the start of every attempt of jobs[job]; `out` writes to that attempt's file.
using BodyTransformFactory = std::function<std::unique_ptr<BodyTransform>(std::size_t job, BodyTransform::Output out)>;

}  // namespace crm::storage
