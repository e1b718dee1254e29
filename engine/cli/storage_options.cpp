#include "engine/cli/storage_options.hpp"

#include <cstdlib>

#include "engine/cli/cli_support.hpp"

namespace crm::cli {
namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
}  // namespace

void StorageOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--storage-url", url,
                 "Storage API URL (default: $SUPABASE_STORAGE_URL, else $SUPABASE_URL/storage/v1, else "
                 "http://127.0.0.1:54321/storage/v1)");
  cmd.add_option("--service-key", service_key,
                 "service_role key (default: $SUPABASE_SERVICE_ROLE_KEY; prefer the variable: flags show in ps)");
  cmd.add_option("--bucket", bucket, "storage bucket holding the attachments")->capture_default_str();
  cmd.add_option("--transfers", transfers, "transfers in flight")->capture_default_str()->check(CLI::Range(1, 256));
  cmd.add_option("--retries", retries, "retries per request (408/429/5xx, dropped connections, short bodies)")
      ->capture_default_str()
      ->check(CLI::Range(0, 50));
  cmd.add_flag("--insecure", insecure, "do not verify the storage server's TLS certificate (prints a warning)");
}

storage::StorageConfig StorageOptions::resolve() const {
  storage::StorageConfig cfg;
  cfg.base_url = url;
  if (cfg.base_url.empty()) cfg.base_url = env("SUPABASE_STORAGE_URL");
  if (cfg.base_url.empty() && !env("SUPABASE_URL").empty()) {
    std::string base = env("SUPABASE_URL");
    while (!base.empty() && base.back() == '/') base.pop_back();
    cfg.base_url = base + "/storage/v1";
  }
  if (cfg.base_url.empty()) cfg.base_url = "http://127.0.0.1:54321/storage/v1";
  if (!cfg.base_url.starts_with("http://") && !cfg.base_url.starts_with("https://"))
    throw UsageError("--storage-url must start with http:// or https:// (got '" + cfg.base_url + "')");
  cfg.service_key = service_key.empty() ? env("SUPABASE_SERVICE_ROLE_KEY") : service_key;
  if (cfg.service_key.empty())
    throw UsageError(
        "no storage service key: set SUPABASE_SERVICE_ROLE_KEY to the project's service_role key "
        "(`supabase status` prints it) or pass --service-key");
  if (cfg.service_key.find_first_of("\r\n \t") != std::string::npos)
    throw UsageError("the storage service key contains whitespace or a line break; check SUPABASE_SERVICE_ROLE_KEY");
  if (bucket.empty() || bucket.find('/') != std::string::npos)
    throw UsageError("--bucket must be a bucket id without '/'");
  cfg.bucket = bucket;
  cfg.transfers = transfers;
  cfg.max_retries = retries;
  cfg.insecure_tls = insecure;
  return cfg;
}

}  // namespace crm::cli
