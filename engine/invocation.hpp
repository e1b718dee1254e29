#pragma once
// How the tool was started: directly, or by one of the Makefile's drop-in targets. The
// Makefile sets CRMBACKUP_MAKE_TARGET, so that a message names what the user can type next
// ("make list-backups" under make, "crmbackup-native list" otherwise).
#include <string>
#include <string_view>

namespace crm::engine {

// The make target that started the tool ("backup-database" ...), or "" when run directly.
std::string make_target();

// "make <target>" when started by make, else "crmbackup-native <subcommand>".
std::string suggest_command(std::string_view make_target_name, std::string_view subcommand);

}  // namespace crm::engine
