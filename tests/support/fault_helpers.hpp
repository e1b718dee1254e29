#pragma once
// Helpers for the fault tests: the CLI as a background child (so a test can kill it or break
// what it talks to while it runs), and the checks every fault must pass: no set that looks
// complete but is not, no staging leftovers, older sets intact.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/cli_env.hpp"

namespace crm::testsupport {

// The CLI started in the background with CliEnv's environment; stdout+stderr go to a file.
class BackgroundCli {
 public:
  BackgroundCli(const CliEnv& env, const std::vector<std::string>& args);
  ~BackgroundCli();
  BackgroundCli(const BackgroundCli&) = delete;
  BackgroundCli& operator=(const BackgroundCli&) = delete;
  pid_t pid() const { return pid_; }
  bool running();                 // not yet exited (reaps it when it has)
  void kill_with(int sig);
  int wait();                     // exit code; 128+N when killed by signal N
  std::string output() const;     // everything printed so far

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_code_ = -1;
  std::string log_;
};

// Names of the entries of dir (not recursive).
std::vector<std::string> dir_entries(const std::string& dir);

// Every set in dir: prefix -> state; and the problems of every complete set ("" when none).
std::string complete_sets_that_do_not_verify(const std::string& dir);

// Entries of dir that belong to no complete set: staging folders, parts of sets without a
// manifest, temporary files.
std::vector<std::string> leftovers(const std::string& dir, const std::vector<std::string>& allowed_prefixes);

// Reads a whole file.
std::string slurp(const std::filesystem::path& p);
void spit(const std::filesystem::path& p, const std::string& bytes);

}  // namespace crm::testsupport
