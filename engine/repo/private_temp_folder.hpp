#pragma once
// A fresh folder only the running user can enter (0700), for a backup's staging or a set copied
// from a remote repository.
#include <filesystem>
#include <string>

namespace crm::engine::repo {

// "<root>/crmbackup-<label>-XXXXXX"; throws std::system_error naming root.
std::filesystem::path make_private_temp_folder(const std::filesystem::path& root, const std::string& label);

}  // namespace crm::engine::repo
