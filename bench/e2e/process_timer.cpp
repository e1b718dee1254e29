#include "bench/e2e/process_timer.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace crm::bench {
namespace {

constexpr const char* kGnuTime = "/usr/bin/time";

[[noreturn]] void exec_child(const Command& c) {
  auto redirect = [](const std::string& path, int fd, int flags) {
    int f = ::open(path.c_str(), flags, 0600);
    if (f < 0) {
      std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), std::strerror(errno));
      _exit(126);
    }
    ::dup2(f, fd);
    ::close(f);
  };
  redirect(c.stdin_path, 0, O_RDONLY);
  redirect(c.stdout_path, 1, O_WRONLY | O_CREAT | O_TRUNC);
  redirect(c.stderr_path, 2, O_WRONLY | O_CREAT | O_TRUNC);
  for (const auto& [k, v] : c.env) ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const auto& a : c.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

}  // namespace

Sample run_concurrently(const std::vector<Command>& commands) {
  auto t0 = std::chrono::steady_clock::now();
  // ru_maxrss of a forked child starts at the forking process's size (Linux keeps the pre-exec
  // high-water mark), so this driver's own memory would show up in every figure. GNU time, a
  // tiny process, forks the real command and reports that grandchild's ru_maxrss instead.
  bool use_time = ::access(kGnuTime, X_OK) == 0;
  std::vector<pid_t> pids;
  std::vector<std::string> rss_files;
  for (const auto& given : commands) {
    if (given.argv.empty()) throw std::invalid_argument("empty command");
    Command c = given;
    if (use_time) {
      char tmpl[] = "/tmp/crm-bench-rss-XXXXXX";
      int fd = ::mkstemp(tmpl);
      if (fd < 0) throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
      ::close(fd);
      rss_files.push_back(tmpl);
      c.argv.insert(c.argv.begin(), {kGnuTime, "-f", "%M", "-o", tmpl});
    }
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) exec_child(c);
    pids.push_back(pid);
  }
  Sample s;
  // Each child by its pid: the sandbox's own children (storage server, cluster watchdog) must
  // not be reaped here.
  for (pid_t pid : pids) {
    int status = 0;
    struct rusage ru {};
    while (::wait4(pid, &status, 0, &ru) < 0) {
      if (errno != EINTR) throw std::runtime_error(std::string("wait4: ") + std::strerror(errno));
    }
    s.cpu_s += ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    s.peak_rss_mb = std::max(s.peak_rss_mb, ru.ru_maxrss / 1024.0);  // ru_maxrss is in KiB
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0 && s.exit_code == 0) s.exit_code = code;
  }
  s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (use_time) {
    s.peak_rss_mb = 0;
    for (const auto& f : rss_files) {
      std::ifstream in(f);
      std::string line, last;
      while (std::getline(in, line))
        if (!line.empty()) last = line;  // "Command exited with non-zero status N" may come first
      ::unlink(f.c_str());
      try {
        s.peak_rss_mb = std::max(s.peak_rss_mb, std::stod(last) / 1024.0);  // %M is in KiB
      } catch (const std::exception&) {
      }
    }
  }
  return s;
}

double children_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f;
  for (std::string x; fields >> x;) f.push_back(x);
  // After "pid (comm) ": state is field 3; cutime and cstime are fields 16 and 17.
  if (f.size() < 15) return -1;
  return (std::stod(f[13]) + std::stod(f[14])) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string tail_of_file(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > max_bytes ? "..." + all.substr(all.size() - max_bytes) : all;
}

}  // namespace crm::bench
