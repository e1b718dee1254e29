#pragma once
// --retention-days, shared by backup and prune: whole days in retention_days_problem's range,
// refused with one sentence (CLI11's own range check printed "0 to 1.79769e+308").
#include <CLI/CLI.hpp>

#include <string>

namespace crm::cli {

CLI::Option* add_retention_days_option(CLI::App& cmd, int& days, const std::string& help);

}  // namespace crm::cli
