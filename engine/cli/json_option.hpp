#pragma once
// --json, shared by every command that has it: standard output then holds only what a script
// reads (one JSON document, or one JSON line per object), a failure included (run_guarded
// prints it as a JSON object), and the human lines go to standard error.
#include <CLI/CLI.hpp>

#include <ostream>
#include <string>
#include <string_view>

#include "engine/cli/cli_support.hpp"

namespace crm::cli {

struct JsonOption {
  // main() looks for it in a command line CLI11 refused, so that a script that asked for JSON
  // gets its one object even then.
  static constexpr std::string_view kFlag = "--json";

  bool enabled = false;

  // help: what the command prints on standard output under --json.
  void add_to(CLI::App& cmd, const std::string& help);
  // Tells main() to report a failure as JSON too.
  void hand_to(Registry& reg) const { reg.json = enabled; }
  // Where the human lines go: standard error under --json, standard output otherwise.
  std::ostream& human_lines() const;
  explicit operator bool() const { return enabled; }
};

}  // namespace crm::cli
