#include "tests/support/fault_helpers.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/verify_files.hpp"

namespace crm::testsupport {
namespace fs = std::filesystem;

BackgroundCli::BackgroundCli(const CliEnv& env, const std::vector<std::string>& args) {
  char tmpl[] = "/tmp/crm-cli-log-XXXXXX";
  int fd = mkstemp(tmpl);
  log_ = tmpl;
  std::string bin = cli_binary();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (const char* v : {"BACKUP_DIR", "SUPABASE_DB_URL", "DATABASE_URL", "SUPABASE_STORAGE_URL", "SUPABASE_URL",
                          "SUPABASE_SERVICE_ROLE_KEY", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"})
      unsetenv(v);
    if (!env.backup_dir.empty()) setenv("BACKUP_DIR", env.backup_dir.c_str(), 1);
    if (!env.db_url.empty()) setenv("SUPABASE_DB_URL", env.db_url.c_str(), 1);
    if (!env.storage_url.empty()) setenv("SUPABASE_STORAGE_URL", env.storage_url.c_str(), 1);
    if (!env.service_key.empty()) setenv("SUPABASE_SERVICE_ROLE_KEY", env.service_key.c_str(), 1);
    for (const auto& [k, v] : env.extra) setenv(k.c_str(), v.c_str(), 1);
    int devnull = ::open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  ::close(fd);
}

BackgroundCli::~BackgroundCli() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  ::unlink(log_.c_str());
}

bool BackgroundCli::running() {
  if (reaped_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  reaped_ = true;
  status_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return false;
}

void BackgroundCli::kill_with(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

int BackgroundCli::wait() {
  if (!reaped_) {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    status_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return status_code_;
}

std::string BackgroundCli::output() const { return slurp(log_); }

std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string complete_sets_that_do_not_verify(const std::string& dir) {
  std::string out;
  for (const auto& s : engine::scan_backup_dir(dir)) {
    // A damaged set committed its manifest too: it claims to be whole, so it must verify.
    if (s.state != engine::SetState::Complete && s.state != engine::SetState::Damaged) continue;
    for (const auto& p : engine::verify_set_files(s)) out += s.name.prefix + ": " + p.file + " " + p.kind + " " + p.detail + "\n";
  }
  return out;
}

std::vector<std::string> leftovers(const std::string& dir, const std::vector<std::string>& allowed_prefixes) {
  std::vector<std::string> out;
  for (const auto& name : dir_entries(dir)) {
    bool ok = false;
    for (const auto& p : allowed_prefixes)
      if (name.rfind(p + "-", 0) == 0) ok = true;
    if (!ok) out.push_back(name);
  }
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes; }

}  // namespace crm::testsupport
