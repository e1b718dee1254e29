#pragma once
// Runs one command (or several at once, e.g. two concurrent psql COPY sessions) as child
// processes and measures them the way the results report them: wall seconds from fork to the
// last exit, user+sys CPU seconds and peak RSS from wait4()'s rusage (which, on Linux, also
// covers the descendants each child waited for, e.g. the curls under xargs). Peak RSS comes
// from GNU time (/usr/bin/time) wrapped around each command when it is installed.
#include <map>
#include <string>
#include <vector>

namespace crm::bench {

struct Command {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to the inherited environment
  std::string stdin_path = "/dev/null";
  std::string stdout_path = "/dev/null";
  std::string stderr_path = "/dev/null";
};

struct Sample {
  double wall_s = 0;
  double cpu_s = 0;        // user + sys of every child (and their waited-for descendants)
  double peak_rss_mb = 0;  // the largest ru_maxrss among the children
  int exit_code = 0;       // the first non-zero exit code (128+N for signal N)
  double server_cpu_s = -1;  // the PostgreSQL backends' CPU, when measured (-1: not)
};

// CPU seconds of the exited children of a process (/proc/PID/stat cutime + cstime): for the
// postmaster, the CPU of every backend that has ended. -1 when unreadable.
double children_cpu_seconds(int pid);

// Starts every command at once and waits for all of them.
Sample run_concurrently(const std::vector<Command>& commands);
inline Sample run_timed(const Command& c) { return run_concurrently({c}); }

// The last lines of a file (a failed command's stderr), for error messages.
std::string tail_of_file(const std::string& path, size_t max_bytes = 2000);

}  // namespace crm::bench
