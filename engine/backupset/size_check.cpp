#include "engine/backupset/size_check.hpp"

#include <sys/stat.h>

#include "engine/backupset/path_safety.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

std::optional<PartProblem> part_size_problem(const fs::path& path, std::uint64_t size) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return PartProblem{"missing", "listed in the manifest but not on disk"};
  if (!S_ISREG(st.st_mode)) return PartProblem{"missing", "is not a regular file"};
  if (static_cast<std::uint64_t>(st.st_size) != size)
    return PartProblem{"size", "expected " + std::to_string(size) + " bytes, found " + std::to_string(st.st_size)};
  return std::nullopt;
}

std::vector<std::string> size_mismatches(const Manifest& m, const fs::path& dir, const fs::path& attachments_dir) {
  std::vector<std::string> out;
  for (const auto& f : m.files)
    if (auto p = part_size_problem(dir / f.name, f.size)) out.push_back(f.name + ": " + p->detail);
  if (attachments_dir.empty()) return out;
  std::string shown = attachments_dir.filename().string() + "/";
  for (const auto& o : m.objects)
    if (auto p = part_size_problem(attachments_dir / o.path, o.size)) out.push_back(shown + printable_name(o.path) + ": " + p->detail);
  return out;
}

}  // namespace crm::engine
