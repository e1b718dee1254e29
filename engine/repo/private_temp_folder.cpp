#include "engine/repo/private_temp_folder.hpp"

#include <stdlib.h>

#include <cerrno>
#include <system_error>

namespace crm::engine::repo {
namespace fs = std::filesystem;

fs::path make_private_temp_folder(const fs::path& root, const std::string& label) {
  std::string pattern = (root / ("crmbackup-" + label + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data()))  // mkdtemp makes it 0700
    throw std::system_error(errno, std::generic_category(), "cannot create a temporary folder in " + root.string());
  return pattern;
}

}  // namespace crm::engine::repo
