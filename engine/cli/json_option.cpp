#include "engine/cli/json_option.hpp"

#include <iostream>

namespace crm::cli {

void JsonOption::add_to(CLI::App& cmd, const std::string& help) { cmd.add_flag(std::string(kFlag), enabled, help); }

std::ostream& JsonOption::human_lines() const { return enabled ? std::cerr : std::cout; }

}  // namespace crm::cli
