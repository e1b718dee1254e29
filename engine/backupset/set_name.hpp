#pragma once
// Set prefixes: "backup-YYYY-MM-DD-HHMMSS" (local time), and the old scripts' other form
// "backup-YYYY-MM-DDTHH-MM-SS", which listing, restore and retention accept too.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace crm::engine {

struct SetName {
  std::string prefix;  // as found on disk
  std::tm local{};     // the timestamp it encodes (local time)
  std::time_t time = 0;
  bool legacy_t_form = false;
};

std::string make_prefix(std::time_t t);  // local time
std::optional<SetName> parse_prefix(std::string_view prefix);

// Splits a file name in BACKUP_DIR into prefix and part ("roles.sql", "attachments", ...).
// Returns nullopt for names that are not part of a set.
struct SetPart {
  SetName name;
  std::string part;
};
std::optional<SetPart> parse_set_file_name(std::string_view file_name);

}  // namespace crm::engine
