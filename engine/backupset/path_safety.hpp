#pragma once
// Object names come from the server: they must never lead a write outside the backup folder.
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crm::engine {

struct UnsafeObjectName : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Why `name` cannot be stored as a file under a folder (escapes it, or the filesystem cannot hold
// it); nullopt when it is safe. root_length: bytes of the folder's path, for the PATH_MAX check.
std::optional<std::string> unsafe_name_reason(std::string_view name, std::size_t root_length = 0);

// root / name, or throws UnsafeObjectName naming the object.
std::filesystem::path local_path_for(const std::filesystem::path& root, std::string_view name);

// Names that cannot coexist on a filesystem: "a" (a file) and "a/b" (needs a folder "a"), or
// "x.partial" next to "x" (the temporary name of x). Returns name -> why, for the ones refused.
std::vector<std::pair<std::string, std::string>> local_conflicts(const std::vector<std::string>& sorted_names);

// A printable rendering of a name for messages: control bytes escaped.
std::string printable_name(std::string_view name);

}  // namespace crm::engine
