#pragma once
// The storage settings every command that touches attachments shares.
#include <CLI/CLI.hpp>

#include <string>

#include "storage-api/config.hpp"

namespace crm::cli {

struct StorageOptions {
  std::string url;
  std::string service_key;
  std::string bucket = "attachments";
  int transfers = 16;
  int retries = 6;
  bool insecure = false;

  void add_to(CLI::App& cmd);
  // Flags, then the environment, then the local Supabase default; throws UsageError when no
  // key is known or a value is unusable.
  storage::StorageConfig resolve() const;
};

}  // namespace crm::cli
