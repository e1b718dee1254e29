// Issue 16 items 9, 13 and 14 through the binary, as a script or a person meets them:
// - every --json failure is exactly one JSON object on stdout with ok=false, a stable code and
//   the process's own exit code (database down, wrong password, storage down, rejected key,
//   damaged set, missing folder);
// - run directly, messages name the flags and commands (not make targets), and a wrong
//   PGPASSWORD is not blamed on --db-url;
// - no command and a refused prompt exit 2; sizes are labelled in binary units everywhere;
//   -q and --no-progress change what is printed.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/backupset/backup_dir.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"
#include "tests/support/storage_server.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
using crm::sandbox::PgCluster;
using crm::sandbox::ProcessResult;

namespace {

const std::string kKey = "cli-errors-service-key";

// A loopback port nothing listens on (bound, then released).
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

struct JsonFailure {
  std::string code, message, hint;
  std::int64_t exit_code = -1;
};

// Standard output must be exactly one JSON object with ok=false and the error shape; its
// exit_code must be the process's.
JsonFailure expect_json_failure(const ProcessResult& r, const std::string& code, int exit_code,
                                bool our_error_line = true) {
  JsonFailure f;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto err = parser.parse(r.out).get(doc);
  EXPECT_EQ(err, simdjson::SUCCESS) << "stdout is not one JSON object:\n" << r.out << "\nstderr:\n" << r.err;
  if (err != simdjson::SUCCESS) return f;
  bool ok = true;
  EXPECT_EQ(doc["ok"].get(ok), simdjson::SUCCESS) << r.out;
  EXPECT_FALSE(ok) << r.out;
  std::string_view c, m, h;
  EXPECT_EQ(doc["error"]["code"].get(c), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(doc["error"]["message"].get(m), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(doc["error"]["hint"].get(h), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(doc["exit_code"].get(f.exit_code), simdjson::SUCCESS) << r.out;
  f.code = c;
  f.message = m;
  f.hint = h;
  EXPECT_EQ(f.code, code) << r.out << r.err;
  EXPECT_EQ(f.exit_code, r.exit_code) << r.out;
  EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
  EXPECT_FALSE(f.message.empty());
  // The human error line still goes to standard error (CLI11 words its own flag errors).
  if (our_error_line) {
    EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  }
  EXPECT_NE(r.err.find(f.message.substr(0, 20)), std::string::npos) << r.err;
  return f;
}

// Runs the CLI on a pseudo-terminal (the restore prompt only asks on one), typing `answer`.
ProcessResult run_on_terminal(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                              const std::string& answer) {
  std::vector<std::string> argv = {ts::cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    for (const char* v : {"BACKUP_DIR", "SUPABASE_DB_URL", "DATABASE_URL", "SUPABASE_STORAGE_URL", "SUPABASE_URL",
                          "SUPABASE_SERVICE_ROLE_KEY", "PGPASSWORD", "CRMBACKUP_MAKE_TARGET"})
      ::unsetenv(v);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ProcessResult r;
  bool answered = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    int n = ::poll(&p, 1, 500);
    if (n > 0) {
      ssize_t got = ::read(master, buf, sizeof buf);
      if (got <= 0) break;  // EIO: the child closed the terminal
      r.out.append(buf, static_cast<size_t>(got));
    }
    if (!answered && r.out.find("(y/N)") != std::string::npos) {
      std::string line = answer + "\n";
      EXPECT_EQ(::write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
      answered = true;
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

class CliErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = crm::sandbox::start_crm_cluster(1, 16).release();
    storage_root_ = new ts::TempFolder();
    crm::testing::generate_bucket(storage_root_->path, "attachments", 6, 1, 16, false);
    storage_ = crm::testing::StorageServer::start(storage_root_->path, kKey).release();
    dir_ = new ts::TempFolder();
    auto r = env().run({"backup", "--no-retention"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    backup_out_ = new std::string(r.out + r.err);
    prefix_ = crm::engine::scan_backup_dir(dir_->path).front().name.prefix;
  }
  static void TearDownTestSuite() {
    delete backup_out_;
    delete dir_;
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }
  static ts::CliEnv env(const std::string& dir = "") {
    return {dir.empty() ? dir_->path : dir, cluster_->url(), storage_->url(), kKey, {}};
  }
  static std::string down_db_url() {
    return "postgresql://postgres:postgres@127.0.0.1:" + std::to_string(closed_port()) + "/postgres";
  }

  static PgCluster* cluster_;
  static crm::testing::StorageServer* storage_;
  static ts::TempFolder* storage_root_;
  static ts::TempFolder* dir_;
  static std::string prefix_;
  static std::string* backup_out_;
};
PgCluster* CliErrors::cluster_ = nullptr;
crm::testing::StorageServer* CliErrors::storage_ = nullptr;
ts::TempFolder* CliErrors::storage_root_ = nullptr;
ts::TempFolder* CliErrors::dir_ = nullptr;
std::string CliErrors::prefix_;
std::string* CliErrors::backup_out_ = nullptr;

TEST_F(CliErrors, ListJsonOnAMissingFolderOrAFileIsOneErrorObject) {
  ts::TempFolder t;
  auto r = env((fs::path(t.path) / "does-not-exist").string()).run({"list", "--json"});
  expect_json_failure(r, "usage", 2);
  std::ofstream(fs::path(t.path) / "a-file") << "x";
  r = env().run({"list", "--json", "--backup-dir", (fs::path(t.path) / "a-file").string()});
  expect_json_failure(r, "usage", 2);
  // A wrong flag is a usage error with the same shape.
  r = env().run({"list", "--json", "--no-such-flag"});
  expect_json_failure(r, "usage", 2, /*our_error_line=*/false);
}

TEST_F(CliErrors, BackupJsonWithTheDatabaseDown) {
  ts::TempFolder t;
  auto e = env(t.path);
  e.db_url = down_db_url();
  auto r = e.run({"backup", "--json", "--no-attachments", "--connect-timeout", "5"});
  auto f = expect_json_failure(r, "database_unreachable", 1);
  EXPECT_NE(f.message.find("cannot reach the database"), std::string::npos) << f.message;
  // Run directly: no make target in the advice.
  EXPECT_EQ((r.out + r.err).find("make "), std::string::npos) << r.out << r.err;
  EXPECT_TRUE(crm::engine::scan_backup_dir(t.path).empty()) << "a failed backup left a set";
  // Through make (the Makefile sets CRMBACKUP_MAKE_TARGET), the drop-in advice stays.
  e.extra["CRMBACKUP_MAKE_TARGET"] = "backup-database";
  r = e.run({"backup", "--no-attachments", "--connect-timeout", "5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("make start-supabase"), std::string::npos) << r.err;
}

TEST_F(CliErrors, BackupJsonWithAWrongPasswordSaysWhereThePasswordCameFrom) {
  ts::TempFolder t;
  auto e = env(t.path);
  // The URL carries no password: libpq takes PGPASSWORD, which is wrong.
  e.db_url = "postgresql://postgres@127.0.0.1:" + std::to_string(cluster_->port()) + "/postgres";
  e.extra["PGPASSWORD"] = "not-the-password";
  e.extra["PGPASSFILE"] = (fs::path(t.path) / "no-such-pgpass").string();
  auto r = e.run({"backup", "--json", "--no-attachments"});
  auto f = expect_json_failure(r, "database_auth", 1);
  EXPECT_NE(f.message.find("PGPASSWORD"), std::string::npos) << f.message;
  EXPECT_EQ((r.out + r.err).find("--db-url"), std::string::npos) << "blames --db-url:\n" << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("not-the-password"), std::string::npos) << "the password leaked";

  // The password in --db-url is wrong: then the flag is named.
  auto flag = env(t.path);
  flag.db_url.clear();
  r = flag.run({"backup", "--json", "--no-attachments", "--db-url", cluster_->url("postgres", "postgres", "wrong-pw")});
  f = expect_json_failure(r, "database_auth", 1);
  EXPECT_NE(f.message.find("--db-url"), std::string::npos) << f.message;
  EXPECT_EQ((r.out + r.err).find("wrong-pw"), std::string::npos) << "the password leaked";
}

TEST_F(CliErrors, BackupJsonWithStorageDownOrAWrongKey) {
  ts::TempFolder t;
  auto e = env(t.path);
  e.storage_url = "http://127.0.0.1:" + std::to_string(closed_port());
  auto r = e.run({"backup", "--json", "--retries", "0"});
  expect_json_failure(r, "storage_unreachable", 1);

  auto k = env(t.path);
  k.service_key = "not-the-service-key";
  r = k.run({"backup", "--json"});
  expect_json_failure(r, "storage_auth", 1);
  EXPECT_EQ((r.out + r.err).find("not-the-service-key"), std::string::npos) << "the key leaked";
  EXPECT_TRUE(crm::engine::scan_backup_dir(t.path).empty()) << "a failed backup left a set";
}

TEST_F(CliErrors, RestoreJsonOfADamagedSetIsRefusedAsDamaged) {
  ts::TempFolder t;
  for (const auto& entry : fs::directory_iterator(dir_->path))
    if (entry.path().filename().string().starts_with(prefix_))
      fs::copy(entry.path(), fs::path(t.path) / entry.path().filename(), fs::copy_options::recursive);
  fs::path schema = fs::path(t.path) / (prefix_ + "-schema.sql");
  {
    std::fstream f(schema, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(10);
    char c = static_cast<char>(f.get());
    f.seekp(10);
    f.put(static_cast<char>(c ^ 1));  // same size, another byte: only the hash can tell
  }
  auto before = ts::table_checksums(*cluster_, "postgres", "^(public|auth|storage)$");
  auto r = env(t.path).run({"restore", "--json", "--yes", "--no-attachments", prefix_});
  expect_json_failure(r, "damaged_set", 1);
  EXPECT_EQ(ts::table_checksums(*cluster_, "postgres", "^(public|auth|storage)$"), before);
}

TEST_F(CliErrors, NoCommandIsAUsageError) {
  auto r = env().run({});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("backup"), std::string::npos) << "the help goes to stderr:\n" << r.err;
  r = env().run({"dump"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

TEST_F(CliErrors, AnsweringNoAtThePromptExits2AndChangesNothing) {
  auto before = ts::table_checksums(*cluster_, "postgres", "^(public|auth|storage)$");
  auto r = run_on_terminal({"restore", "--no-attachments", prefix_},
                           {{"BACKUP_DIR", dir_->path}, {"SUPABASE_DB_URL", cluster_->url()}}, "n");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("Restore cancelled; nothing was changed."), std::string::npos) << r.out;
  EXPECT_EQ(ts::table_checksums(*cluster_, "postgres", "^(public|auth|storage)$"), before);
  // Under --json the refusal is one error object too.
  auto j = env().run({"restore", "--json", "--no-attachments", prefix_});
  expect_json_failure(j, "usage", 2);  // no terminal to ask on: refused as usage
}

TEST_F(CliErrors, RunDirectlyMessagesNameFlagsAndCommandsNotMakeTargets) {
  ts::CliEnv e = env();
  e.backup_dir.clear();
  auto r = e.run({"backup"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--backup-dir"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("make"), std::string::npos) << r.err;

  r = e.run({"list", "--backup-dir", "./x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--backup-dir must be an absolute path, got './x'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("BACKUP_DIR must"), std::string::npos) << r.err;

  r = env().run({"restore", "--yes", "backup-2001-01-01-000000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("crmbackup-native list"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("make list-backups"), std::string::npos) << r.err;

  auto m = env();
  m.extra["CRMBACKUP_MAKE_TARGET"] = "restore-database";
  r = m.run({"restore", "--yes", "backup-2001-01-01-000000"});
  EXPECT_NE(r.err.find("make list-backups"), std::string::npos) << r.err;
}

TEST_F(CliErrors, SizesAreLabelledInBinaryUnitsEverywhere) {
  static const std::regex decimal_label(R"(\d (KB|MB|GB)\b)");
  static const std::regex binary_label(R"(\d (KiB|MiB|GiB)\b)");
  auto list = env().run({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto dry = env().run({"prune", "--dry-run"});
  for (const auto& [what, text] : std::vector<std::pair<std::string, std::string>>{
           {"backup", *backup_out_}, {"list", list.out + list.err}, {"prune", dry.out + dry.err}}) {
    EXPECT_FALSE(std::regex_search(text, decimal_label)) << what << " prints decimal labels:\n" << text;
  }
  EXPECT_TRUE(std::regex_search(*backup_out_, binary_label)) << *backup_out_;
  EXPECT_TRUE(std::regex_search(list.out, binary_label)) << list.out;
}

TEST_F(CliErrors, QuietAndNoProgressChangeWhatIsPrinted) {
  // The setup's backup, run plainly, printed its progress and its steps.
  ASSERT_NE(backup_out_->find("data: "), std::string::npos) << *backup_out_;
  ASSERT_NE(backup_out_->find("Dumping database roles"), std::string::npos);

  ts::TempFolder t;
  auto r = env(t.path).run({"backup", "--no-retention", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("data: "), std::string::npos) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("attachments: "), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("Dumping database roles"), std::string::npos) << "--no-progress keeps the other lines";

  r = env(t.path).run({"backup", "--no-retention", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto sets = crm::engine::scan_backup_dir(t.path);
  ASSERT_EQ(sets.size(), 2u);
  for (const char* step : {"Dumping", "data: ", "attachments: ", "Backup completed successfully", "Location:"})
    EXPECT_EQ((r.out + r.err).find(step), std::string::npos) << "-q printed '" << step << "':\n" << r.out << r.err;
  // Only problem lines (a schema warning, if any) may come before the result.
  EXPECT_TRUE(r.out.ends_with("\u2713 Backup " + sets.front().name.prefix + " completed: " +
                              (fs::canonical(t.path) / (sets.front().name.prefix + "-manifest.json")).string() + "\n"))
      << r.out;

  r = env().run({"verify", "--quiet", prefix_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "\u2713 Backup " + prefix_ + " verified\n");
  // Every command takes the switches.
  for (auto cmd : std::vector<std::vector<std::string>>{{"list"}, {"prune"}, {"restore"}, {"dump", "roles"},
                                                       {"dump", "schema"}, {"dump", "data"}, {"dump", "attachments"}}) {
    cmd.push_back("--help");
    auto h = env().run(cmd);
    EXPECT_EQ(h.exit_code, 0) << h.err;
    for (const char* flag : {"--quiet", "--verbose", "--no-progress"})
      EXPECT_NE(h.out.find(flag), std::string::npos) << cmd[0] << " lacks " << flag;
  }
}

}  // namespace
