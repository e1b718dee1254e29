#include "engine/cli/jobs_option.hpp"

#include <string>

#include "engine/data/data_dump.hpp"

namespace crm::cli {

CLI::Option* add_jobs_option(CLI::App& cmd, unsigned& jobs) {
  return cmd
      .add_option("-j,--jobs", jobs,
                  "parallel COPY connections, 1 to " + std::to_string(engine::kMaxDumpJobs) +
                      " (default: the number of cores, at least 2)")
      ->check(CLI::Range(1u, engine::kMaxDumpJobs));
}

}  // namespace crm::cli
