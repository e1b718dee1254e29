#include "engine/backupset/path_safety.hpp"

#include <set>

#include <fmt/format.h>

namespace crm::engine {
namespace {
constexpr std::size_t kMaxSegment = 255;  // NAME_MAX
constexpr std::size_t kMaxPath = 4095;    // PATH_MAX minus the NUL
constexpr std::string_view kPartial = ".partial";
}  // namespace

std::string printable_name(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out.push_back(static_cast<char>(c));
  }
  return out;
}

std::optional<std::string> unsafe_name_reason(std::string_view name, std::size_t root_length) {
  if (name.empty()) return "the name is empty";
  if (name.find('\0') != std::string_view::npos) return "the name contains a NUL byte";
  if (name.find('\\') != std::string_view::npos) return "the name contains a backslash";
  if (name.front() == '/') return "the name is an absolute path";
  if (root_length + 1 + name.size() + kPartial.size() > kMaxPath)
    return fmt::format("the path would be longer than {} bytes", kMaxPath);
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = name.find('/', start);
    std::string_view seg = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty()) return "the name has an empty path segment ('//' or a trailing '/')";
    if (seg == "." || seg == "..") return fmt::format("the name has a '{}' segment", seg);
    if (seg.size() + (slash == std::string_view::npos ? kPartial.size() : 0) > kMaxSegment)
      return fmt::format("a path segment is longer than {} bytes", kMaxSegment);
    if (slash == std::string_view::npos) return std::nullopt;
    start = slash + 1;
  }
}

std::filesystem::path local_path_for(const std::filesystem::path& root, std::string_view name) {
  if (auto why = unsafe_name_reason(name, root.native().size()))
    throw UnsafeObjectName(fmt::format("refusing object '{}': {}; it would not be stored inside {}",
                                       printable_name(name), *why, root.string()));
  return root / std::filesystem::path(std::string(name));
}

std::vector<std::pair<std::string, std::string>> local_conflicts(const std::vector<std::string>& names) {
  std::set<std::string> all(names.begin(), names.end());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& n : names) {
    // A folder of the same name is needed by a longer name: names sort right after "n/".
    auto it = all.lower_bound(n + "/");
    if (it != all.end() && it->starts_with(n + "/")) {
      out.emplace_back(n, fmt::format("cannot be stored as a file: object '{}' needs a folder with the same name",
                                      printable_name(*it)));
      continue;
    }
    if (n.ends_with(kPartial) && all.count(n.substr(0, n.size() - kPartial.size())))
      out.emplace_back(n, "cannot be stored: its name is the temporary name of object '" +
                              printable_name(n.substr(0, n.size() - kPartial.size())) + "'");
  }
  return out;
}

}  // namespace crm::engine
