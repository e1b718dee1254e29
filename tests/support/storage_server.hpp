#pragma once
// Starts the fixture Storage server (fixtures/storage-server) as a child process on loopback
// for a test, and reads what it holds on disk as the oracle.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace crm::testing {

class StorageServer {
 public:
  // Runs crm-storage-server --root root --port 0 --service-key key extra_args...; waits for
  // its "listening on" line. The process dies with the test (PR_SET_PDEATHSIG) or in ~StorageServer.
  static std::unique_ptr<StorageServer> start(const std::filesystem::path& root, const std::string& key,
                                              const std::vector<std::string>& extra_args = {});
  ~StorageServer();

  const std::string& url() const { return url_; }
  // POST /__admin/<what> with a JSON body; returns the answer's body.
  std::string admin_post(const std::string& what, const std::string& json);
  std::string admin_get(const std::string& what);
  // Stores an object under any name (bypasses key validation): hostile and legacy names.
  void put_raw(const std::string& bucket, const std::string& name, const std::string& bytes,
               const std::string& content_type = "application/octet-stream");

 private:
  StorageServer() = default;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string url_;
};

// Generates a bucket with the fixture's generator (deterministic).
void generate_bucket(const std::filesystem::path& root, const std::string& bucket, int files, double total_mb,
                     std::uint64_t seed, bool awkward);

struct ServerObject {
  std::filesystem::path data;  // the version file
  std::uint64_t size = 0;
  std::string content_type, cache_control;
};
// What the server holds, read from its folder (version files and sidecars), by object name.
std::map<std::string, ServerObject> read_server_bucket(const std::filesystem::path& root, const std::string& bucket);

std::string storage_server_binary();
std::string cli_binary();

}  // namespace crm::testing
