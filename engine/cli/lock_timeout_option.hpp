#pragma once
// --lock-timeout DURATION for the commands that take locks in the user's database (backup,
// restore, verify --restore-into): how long one lock may be waited for before the command
// gives up, like pg_dump's --lock-wait-timeout.
#include <CLI/CLI.hpp>

#include <chrono>
#include <string>

namespace crm::cli {

// "60s", "500ms", "2min", "1h", a bare number of seconds; "0" waits without limit.
// Throws UsageError naming the flag for anything else.
std::chrono::milliseconds parse_duration(const std::string& text, const std::string& flag);

struct LockTimeoutOption {
  std::string text = "60s";
  void add_to(CLI::App& cmd);
  std::chrono::milliseconds resolve() const { return parse_duration(text, "--lock-timeout"); }
};

}  // namespace crm::cli
