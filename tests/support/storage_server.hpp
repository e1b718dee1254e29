#pragma once
// The Storage test server for tests: the sandbox's server (fixtures/sandbox/storage_server.hpp)
// under the names the attachment tests use, and what it holds on disk read as the oracle.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "fixtures/sandbox/storage_server.hpp"
#include "tests/support/cli_env.hpp"

namespace crm::testing {

using sandbox::generate_bucket;
using sandbox::storage_server_binary;
using sandbox::StorageServer;
using testsupport::cli_binary;

struct ServerObject {
  std::filesystem::path data;  // the version file
  std::uint64_t size = 0;
  std::string content_type, cache_control;
};
// What the server holds, read from its folder (version files and sidecars), by object name.
std::map<std::string, ServerObject> read_server_bucket(const std::filesystem::path& root, const std::string& bucket);

}  // namespace crm::testing
