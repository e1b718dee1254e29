#pragma once
// Set prefixes: "backup-YYYY-MM-DD-HHMMSS" (local time), and the old scripts' other form
// "backup-YYYY-MM-DDTHH-MM-SS", which listing, restore and retention accept too.
// A prefix names a set; it does not date it: it is in the writer's zone, and a backup started
// in the same second as another gets the next free second. A set's time is the UTC start in
// its manifest; only sets without one are dated by their name, read in the reader's zone.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace crm::engine {

struct SetName {
  std::string prefix;  // as found on disk
  std::tm local{};     // the timestamp it encodes (local time)
  std::time_t time = 0;  // that timestamp read in this machine's zone
  bool legacy_t_form = false;
};

std::string make_prefix(std::time_t t);  // local time
std::optional<SetName> parse_prefix(std::string_view prefix);

// "2024-01-15T14:30:22Z" (what manifests record; fractional seconds allowed) as time_t.
std::optional<std::time_t> parse_utc_timestamp(std::string_view text);

// Splits a file name in BACKUP_DIR into prefix and part ("roles.sql", "attachments", ...).
// Returns nullopt for names that are not part of a set.
struct SetPart {
  SetName name;
  std::string part;
};
std::optional<SetPart> parse_set_file_name(std::string_view file_name);

}  // namespace crm::engine
