#include "engine/cli/lock_timeout_option.hpp"

#include <climits>
#include <cmath>

#include "engine/errors.hpp"

namespace crm::cli {

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& flag) {
  auto bad = [&] {
    return engine::UsageError(flag + " takes a duration such as 60s, 500ms, 2min or 1h (0: no limit), got '" + text + "'");
  };
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw bad();
  }
  if (!std::isfinite(value) || value < 0 || text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
    throw bad();
  std::string unit = text.substr(used);
  double ms_per_unit = unit.empty() || unit == "s" ? 1000 : unit == "ms" ? 1 : unit == "min" || unit == "m" ? 60000
                       : unit == "h" ? 3600000 : -1;
  if (ms_per_unit < 0) throw bad();
  double ms = value * ms_per_unit;
  // The server keeps lock_timeout in an int of milliseconds.
  if (ms > INT_MAX) throw engine::UsageError(flag + " is at most 596h (the server's limit), got '" + text + "'");
  if (ms > 0 && ms < 1) throw bad();
  return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

void LockTimeoutOption::add_to(CLI::App& cmd) {
  cmd.add_option("--lock-timeout", text,
                 "how long to wait for a lock another session holds before giving up (default 60s; 0: no limit)");
}

}  // namespace crm::cli
