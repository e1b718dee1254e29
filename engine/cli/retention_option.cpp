#include "engine/cli/retention_option.hpp"

#include <charconv>

#include "engine/backupset/retention.hpp"

namespace crm::cli {

CLI::Option* add_retention_days_option(CLI::App& cmd, int& days, const std::string& help) {
  CLI::Validator whole_days(
      [](std::string& text) -> std::string {
        long long v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size() || text.empty())
          return "must be a whole number of days from 1 to " + std::to_string(engine::kMaxRetentionDays) +
                 ", got '" + text + "'";
        return engine::retention_days_problem(v);
      },
      "DAYS");
  return cmd.add_option("--retention-days", days, help)->check(whole_days);
}

}  // namespace crm::cli
