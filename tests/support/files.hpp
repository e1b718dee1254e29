#pragma once
// Small file and time helpers for tests that build backup folders by hand.
#include <ctime>
#include <filesystem>
#include <string>

#include "tests/support/cli_env.hpp"

namespace crm::testsupport {

// A private temporary folder as a path, removed afterwards.
struct TempDir {
  TempFolder folder;
  std::filesystem::path path{folder.path};
};

// The whole content of p ("" when it cannot be read).
std::string read_file(const std::filesystem::path& p);
// Writes content to p, creating the parent folders.
void write_file(const std::filesystem::path& p, const std::string& content);
// A local time as time_t (DST resolved by mktime).
std::time_t local_time(int year, int month, int day, int hour = 12, int minute = 0, int second = 0);

}  // namespace crm::testsupport
