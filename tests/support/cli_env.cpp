#include "tests/support/cli_env.hpp"

#include <stdlib.h>

#include <filesystem>

#include "storage-api/client.hpp"

namespace crm::testsupport {

std::string cli_binary() { return sandbox::binary_path("crmbackup-native"); }

sandbox::ProcessResult CliEnv::run(const std::vector<std::string>& args, const std::string& stdin_data,
                                   int timeout_seconds) const {
  std::vector<std::string> argv = {cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  sandbox::ProcessOptions o;
  o.unset_env = {"BACKUP_DIR", "SUPABASE_DB_URL", "DATABASE_URL", "SUPABASE_STORAGE_URL", "SUPABASE_URL",
                 "SUPABASE_SERVICE_ROLE_KEY", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD",
                 "CRMBACKUP_PASSPHRASE", "CRMBACKUP_PASSPHRASE_FILE", "CRMBACKUP_NEW_PASSPHRASE",
                 "CRMBACKUP_NEW_PASSPHRASE_FILE", "CRMBACKUP_INSECURE_KDF_FOR_TESTS"};
  if (!backup_dir.empty()) o.env["BACKUP_DIR"] = backup_dir;
  if (!db_url.empty()) o.env["SUPABASE_DB_URL"] = db_url;
  if (!storage_url.empty()) o.env["SUPABASE_STORAGE_URL"] = storage_url;
  if (!service_key.empty()) o.env["SUPABASE_SERVICE_ROLE_KEY"] = service_key;
  for (const auto& [k, v] : extra) o.env[k] = v;
  o.stdin_data = stdin_data;
  o.timeout_seconds = timeout_seconds;
  return sandbox::run_process(argv, o);
}

std::map<std::string, std::string> bucket_listing(const std::string& storage_url, const std::string& key,
                                                  const std::string& bucket) {
  storage::StorageConfig cfg;
  cfg.base_url = storage_url;
  cfg.service_key = key;
  cfg.bucket = bucket;
  storage::StorageClient client(cfg);
  std::map<std::string, std::string> out;
  for (const auto& e : client.list_all()) out[e.name] = std::to_string(e.size) + " " + e.etag;
  return out;
}

TempFolder::TempFolder() {
  char tmpl[] = "/tmp/crm-test-XXXXXX";
  path = mkdtemp(tmpl);
}

TempFolder::~TempFolder() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

}  // namespace crm::testsupport
