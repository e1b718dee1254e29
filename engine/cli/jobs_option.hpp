#pragma once
// --jobs, shared by backup and dump data: the parallel COPY connections, 1 to kMaxDumpJobs,
// defaulting (0) to engine::default_dump_jobs() in one place.
#include <CLI/CLI.hpp>

namespace crm::cli {

CLI::Option* add_jobs_option(CLI::App& cmd, unsigned& jobs);

}  // namespace crm::cli
