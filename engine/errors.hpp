#pragma once
#include <stdexcept>

namespace crm::engine {

// Bad input the user can fix (flags, BACKUP_DIR, prefix ...): exit code 2 at the CLI.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace crm::engine
