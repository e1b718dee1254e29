#pragma once
// The AWS CLI's shared files (~/.aws/credentials and ~/.aws/config): INI sections of
// `key = value` lines, with the nested form the CLI uses for per-service settings:
//   s3 =
//     addressing_style = path
// read as the key "s3.addressing_style".
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace crm::s3 {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;  // by section name as written between []

// Keys are lowercased; values trimmed. Comment lines start with '#' or ';'.
IniFile parse_ini(std::string_view text);

// A missing file is an empty one; an unreadable one throws std::filesystem::filesystem_error
// with its errno and path.
IniFile read_ini_file(const std::filesystem::path& path);

// The profile's section: "[NAME]" in the credentials file; "[profile NAME]" in the config file,
// where the default profile is "[default]" (also accepted as "[profile default]").
const IniSection* credentials_section(const IniFile& f, const std::string& profile);
const IniSection* config_section(const IniFile& f, const std::string& profile);

}  // namespace crm::s3
