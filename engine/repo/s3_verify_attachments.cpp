// S3Repository::verify_attachments_in_place: every attachment a manifest lists, read from the
// bucket as a stream (several at once) and hashed, never written to the local disk.
#include <algorithm>
#include <mutex>

#include "engine/io/hash.hpp"
#include "engine/repo/parallel_transfers.hpp"
#include "engine/repo/s3_repository.hpp"

namespace crm::engine::repo {

std::optional<std::vector<VerifyProblem>> S3Repository::verify_attachments_in_place(const SetInfo& set) {
  std::vector<VerifyProblem> problems;
  if (!set.manifest) return problems;  // nothing to compare with: verify reports the missing manifest
  const Manifest& m = *set.manifest;
  const bool blob_layout = uses_blobs(m);
  const std::string att_name = set.name.prefix + "-attachments/";
  std::mutex mu;
  run_transfers(opts_.config, m.objects.size(), opts_.config.transfers, [&](s3::Client& c, std::size_t i) {
    const ManifestObject& o = m.objects[i];
    const std::string key = c.key_for(blob_layout ? std::string(kBlobFolder) + o.blob_name() : att_name + o.path);
    Xxh3Hasher hasher;
    std::uint64_t size = 0;
    std::optional<VerifyProblem> problem;
    try {
      c.get_object(key, [&](std::string_view d) {
        hasher.update(d);
        size += d.size();
      });
      if (size != o.size)
        problem = VerifyProblem{att_name + o.path, "size",
                                "expected " + std::to_string(o.size) + " bytes, found " + std::to_string(size)};
      else if (std::string h = hasher.hex(); h != o.xxh3_128)
        problem = VerifyProblem{att_name + o.path, "hash", "XXH3-128 expected " + o.xxh3_128 + ", found " + h};
    } catch (const s3::S3Error& e) {
      if (e.kind() != s3::ErrorKind::kNoSuchKey) throw;
      problem = VerifyProblem{att_name + o.path, "missing", "no object " + key + " in " + display()};
    }
    if (problem) {
      std::lock_guard lk(mu);
      problems.push_back(std::move(*problem));
    }
  });
  std::sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
  return problems;
}

}  // namespace crm::engine::repo
