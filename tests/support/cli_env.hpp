#pragma once
// Runs the crmbackup-native CLI as a user would: a child process with BACKUP_DIR, the database
// URL and the storage settings in its environment.
#include <map>
#include <string>
#include <vector>

#include "fixtures/sandbox/pg_cluster.hpp"
#include "fixtures/sandbox/storage_server.hpp"

namespace crm::testsupport {

struct CliEnv {
  std::string backup_dir;
  std::string db_url;
  std::string storage_url;
  std::string service_key;
  std::map<std::string, std::string> extra;

  sandbox::ProcessResult run(const std::vector<std::string>& args, const std::string& stdin_data = {},
                             int timeout_seconds = 300) const;
};

std::string cli_binary();

// name -> "size etag" of every object in the bucket (through the Storage API).
std::map<std::string, std::string> bucket_listing(const std::string& storage_url, const std::string& key,
                                                  const std::string& bucket = "attachments");

// A fresh private temporary folder, removed by the destructor.
struct TempFolder {
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  std::string path;
};

}  // namespace crm::testsupport
