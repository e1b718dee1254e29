#include "engine/invocation.hpp"

#include <cstdlib>

namespace crm::engine {

std::string make_target() {
  const char* v = std::getenv("CRMBACKUP_MAKE_TARGET");
  return v ? v : "";
}

std::string suggest_command(std::string_view make_target_name, std::string_view subcommand) {
  if (!make_target().empty()) return "make " + std::string(make_target_name);
  return "crmbackup-native " + std::string(subcommand);
}

}  // namespace crm::engine
