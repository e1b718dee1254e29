// Secrets and access: every command run with a known database password and service key, and
// everything printed and every file written searched for them; files 0600 and folders 0700
// under umask 000; TLS verified by default, --insecure accepted with a warning; hostile
// identifiers (quotes, semicolons, comment markers, dollar quotes) round-trip through backup
// and restore with equal checksums and no extra objects.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "engine/backupset/backup_dir.hpp"
#include "fixtures/sandbox/fixture_loader.hpp"
#include "tests/support/cli_env.hpp"
#include "tests/support/db_compare.hpp"
#include "tests/support/fault_helpers.hpp"
#include "tests/support/storage_server.hpp"

namespace fs = std::filesystem;
namespace ts = crm::testsupport;
using crm::sandbox::PgCluster;

namespace {

const std::string kDbPass = "Db-Pass-Secret-7f3a9q";
const std::string kKey = "svc-KEY-secret-c0ffee-1234";

class FaultsSecrets : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = crm::sandbox::start_crm_cluster(2, 51).release();
    // A superuser of its own with the known password (the oracle psql keeps using postgres's).
    cluster_->psql("CREATE ROLE crm_secret_admin LOGIN SUPERUSER PASSWORD '" + kDbPass + "'");
    storage_root_ = new ts::TempFolder();
    crm::testing::generate_bucket(fs::path(storage_root_->path), "attachments", 10, 0.5, 51, false);
    storage_ = crm::testing::StorageServer::start(fs::path(storage_root_->path), kKey).release();
  }
  static void TearDownTestSuite() {
    delete storage_;
    delete storage_root_;
    delete cluster_;
  }
  static ts::CliEnv env(const std::string& dir) {
    return {dir, cluster_->url("postgres", "crm_secret_admin", kDbPass), storage_->url(), kKey, {}};
  }
  static std::map<std::string, std::string> checksums(const std::string& regex = "^(public|auth|storage)$") {
    return ts::table_checksums(*cluster_, "postgres", regex);
  }

  static PgCluster* cluster_;
  static crm::testing::StorageServer* storage_;
  static ts::TempFolder* storage_root_;
};
PgCluster* FaultsSecrets::cluster_ = nullptr;
crm::testing::StorageServer* FaultsSecrets::storage_ = nullptr;
ts::TempFolder* FaultsSecrets::storage_root_ = nullptr;

// Every file below dir whose content holds one of the secrets.
std::vector<std::string> files_holding(const fs::path& dir, const std::vector<std::string>& secrets) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string body = ts::slurp(e.path());
    for (const auto& s : secrets)
      if (body.find(s) != std::string::npos) out.push_back(e.path().string() + " holds '" + s + "'");
  }
  return out;
}

struct UmaskGuard {
  mode_t old;
  explicit UmaskGuard(mode_t m) : old(::umask(m)) {}
  ~UmaskGuard() { ::umask(old); }
};

// Modes that are not 0600 (files) / 0700 (folders) below and including root.
std::vector<std::string> wrong_modes(const fs::path& root) {
  std::vector<std::string> out;
  auto check = [&](const fs::path& p) {
    struct stat st{};
    if (lstat(p.c_str(), &st) != 0) return;
    unsigned want = S_ISDIR(st.st_mode) ? 0700u : 0600u;
    if ((st.st_mode & 07777) != want)
      out.push_back(p.string() + " is " + std::to_string(st.st_mode & 07777) + " (octal " +
                    [&] { char b[8]; snprintf(b, sizeof b, "%o", st.st_mode & 07777); return std::string(b); }() + ")");
  };
  check(root);
  if (fs::is_directory(root))
    for (const auto& e : fs::recursive_directory_iterator(root)) check(e.path());
  return out;
}

int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(s);
  return port;
}

bool port_open(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

}  // namespace

TEST_F(FaultsSecrets, NoCommandPrintsOrWritesThePasswordOrTheKey) {
  ts::TempFolder t;
  fs::path dir = fs::path(t.path) / "backups", dumps = fs::path(t.path) / "dumps";
  fs::create_directories(dumps);
  auto e = env(dir.string());
  std::vector<std::vector<std::string>> commands = {
      {"backup", "--no-retention"},
      {"backup", "--json", "--no-retention"},
      {"list"},
      {"list", "--json"},
      {"prune", "--dry-run"},
      {"prune", "--dry-run", "--json"},
      {"dump", "roles", "-o", (dumps / "roles.sql").string()},
      {"dump", "schema", "-o", (dumps / "schema.sql").string()},
      {"dump", "data", "-o", (dumps / "data.sql").string()},
      {"dump", "attachments", "-o", (dumps / "attachments").string()},
      {"dump", "attachments", "--json", "-o", (dumps / "attachments-json").string()},
      {"dump", "roles"},
  };
  std::string printed;
  for (const auto& c : commands) {
    auto r = e.run(c);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(c) << "\n" << r.out << r.err;
    printed += r.out + r.err;
  }
  std::string prefix = crm::engine::scan_backup_dir(dir).front().name.prefix;
  for (const auto& c : std::vector<std::vector<std::string>>{{"restore", prefix, "--yes"},
                                                             {"restore", prefix, "--yes", "--json"},
                                                             {"restore", prefix}}) {
    auto r = e.run(c);
    EXPECT_LT(r.exit_code, 3) << r.out << r.err;
    printed += r.out + r.err;
  }
  // Error paths: the secrets in the configuration, the failure in the message.
  struct Err {
    std::vector<std::string> args;
    ts::CliEnv env;
  };
  auto unreachable = e;
  unreachable.db_url = "postgresql://crm_secret_admin:" + kDbPass + "@127.0.0.1:1/postgres";
  auto wrong_pw = e;
  wrong_pw.db_url = cluster_->url("postgres", "crm_secret_admin", kDbPass + "-wrong");
  auto pgpass = e;
  pgpass.db_url = "postgresql://crm_secret_admin@127.0.0.1:" + std::to_string(cluster_->port()) + "/nosuchdb";
  pgpass.extra["PGPASSWORD"] = kDbPass;
  auto bad_key = e;
  bad_key.service_key = kKey + "-rejected";
  auto key_flag = e;
  key_flag.service_key.clear();
  auto conninfo = e;
  conninfo.db_url = "host=127.0.0.1 port=1 user=postgres password=" + kDbPass + " dbname=postgres";
  std::vector<Err> errors = {
      {{"backup", "--connect-timeout", "2"}, unreachable},
      {{"backup", "--json", "--connect-timeout", "2"}, unreachable},
      {{"backup"}, wrong_pw},
      {{"backup"}, pgpass},
      {{"dump", "roles"}, wrong_pw},
      {{"dump", "schema"}, unreachable},
      {{"dump", "data", "-o", (dumps / "x.sql").string()}, conninfo},
      {{"restore", prefix, "--yes"}, wrong_pw},
      {{"backup"}, bad_key},
      {{"backup", "--json"}, bad_key},
      {{"dump", "attachments", "-o", (dumps / "bad").string()}, bad_key},
      {{"backup", "--service-key", kKey + "-flag"}, key_flag},
      {{"restore", prefix, "--yes", "--service-key", kKey + "-flag"}, key_flag},
      {{"backup", "--db-url", "postgresql://u:" + kDbPass + "@[::1", "--no-attachments"}, e},
  };
  for (const auto& x : errors) {
    auto r = x.env.run(x.args);
    EXPECT_NE(r.exit_code, 0) << ::testing::PrintToString(x.args);
    EXPECT_LT(r.exit_code, 128) << r.err;
    printed += r.out + r.err;
  }
  for (const auto& s : {kDbPass, kKey})
    EXPECT_EQ(printed.find(s), std::string::npos) << "'" << s << "' printed:\n" << printed;
  EXPECT_EQ(files_holding(dir, {kDbPass, kKey}), std::vector<std::string>{});
  EXPECT_EQ(files_holding(dumps, {kDbPass, kKey}), std::vector<std::string>{});
  // The restores above ran: the role and its password still work.
  auto r = e.run({"dump", "roles"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(FaultsSecrets, FilesAre0600AndFoldersAre0700WhateverTheUmask) {
  ts::TempFolder t;
  fs::path dir = fs::path(t.path) / "new" / "backups";  // created by the tool
  fs::path out = fs::path(t.path) / "out";
  {
    UmaskGuard u(0);
    fs::create_directories(out);
    auto e = env(dir.string());
    auto r = e.run({"backup", "--no-retention"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    r = e.run({"backup", "--no-retention", "--compress", "zstd"});  // a second one links/copies from the first
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    for (auto part : {"roles", "schema", "data"}) {
      r = e.run({"dump", part, "-o", (out / (std::string(part) + ".sql")).string()});
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    r = e.run({"dump", "attachments", "-o", (out / "attachments").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(wrong_modes(dir), std::vector<std::string>{});
  std::vector<std::string> outs;
  for (const auto& e : fs::directory_iterator(out)) for (auto& w : wrong_modes(e.path())) outs.push_back(w);
  EXPECT_EQ(outs, std::vector<std::string>{});
}

TEST_F(FaultsSecrets, TlsIsVerifiedByDefaultAndInsecurePrintsAWarning) {
  if (crm::sandbox::find_program("openssl").empty()) GTEST_SKIP() << "openssl not installed";
  ts::TempFolder t;
  fs::path cert = fs::path(t.path) / "cert.pem", key = fs::path(t.path) / "key.pem";
  auto gen = crm::sandbox::run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                        key.string(), "-out", cert.string(), "-days", "1", "-subj", "/CN=127.0.0.1",
                                        "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  // A self-signed HTTPS server: openssl s_server -HTTP answers GET /<path> with the file
  // ./<path> as a complete HTTP response. The bucket route answers the Storage API's
  // "NoSuchBucket", so a client that gets past the handshake fails at once, saying so.
  fs::path www = fs::path(t.path) / "www";
  fs::create_directories(www / "storage/v1/bucket");
  const std::string body = R"({"statusCode":"404","error":"Bucket not found","message":"Bucket not found","code":"NoSuchBucket"})";
  ts::spit(www / "storage/v1/bucket/attachments", "HTTP/1.0 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
                                                     std::to_string(body.size()) + "\r\n\r\n" + body);
  fs::path log = fs::path(t.path) / "s_server.log";
  int port = free_port();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (chdir(www.c_str()) != 0) _exit(126);
    FILE* f = freopen(log.c_str(), "w", stdout);
    (void)f;
    dup2(1, 2);
    execlp("openssl", "openssl", "s_server", "-HTTP", "-accept", std::to_string(port).c_str(), "-cert", cert.c_str(),
           "-key", key.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  struct Stop {
    pid_t p;
    ~Stop() {
      kill(p, SIGKILL);
      waitpid(p, nullptr, 0);
    }
  } stop{pid};
  for (int i = 0; i < 100 && !port_open(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(port_open(port)) << ts::slurp(log);
  ts::TempFolder dir;
  auto e = env(dir.path);
  e.storage_url = "https://127.0.0.1:" + std::to_string(port) + "/storage/v1";
  auto r = e.run({"backup", "--no-retention"});
  std::string msg = r.out + r.err;
  EXPECT_EQ(r.exit_code, 1) << msg;
  EXPECT_EQ(msg.find("does not exist"), std::string::npos) << "the answer was read over an unverified connection:\n" << msg;
  EXPECT_NE(msg.find("certificate"), std::string::npos) << "a self-signed server must be refused by default:\n" << msg;
  EXPECT_EQ(msg.find("verification is disabled"), std::string::npos) << msg;
  EXPECT_TRUE(crm::engine::scan_backup_dir(dir.path).empty());

  r = e.run({"backup", "--no-retention", "--insecure", "--retries", "0"});
  msg = r.out + r.err;
  EXPECT_NE(msg.find("warning: TLS certificate verification is disabled (--insecure)"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("certificate problem"), std::string::npos) << "--insecure did not skip the check:\n" << msg;
  EXPECT_EQ(r.exit_code, 1) << msg;
  EXPECT_NE(msg.find("the storage bucket 'attachments' does not exist at https://127.0.0.1"), std::string::npos)
      << "the insecure client should have read the server's answer:\n" << msg;
  EXPECT_NE(ts::slurp(log).find("bucket/attachments"), std::string::npos)
      << "the insecure client never reached the server:\n" << ts::slurp(log) << msg;
  EXPECT_EQ(msg.find(kKey), std::string::npos);
}

TEST_F(FaultsSecrets, HostileIdentifiersRoundTripWithEqualChecksumsAndNoExtraObjects) {
  // Every kind of name the generators quote, holding quotes, semicolons, comment markers and
  // dollar quotes; rows holding COPY's own markers.
  cluster_->psql(R"SQL(
CREATE TABLE public.x (id int PRIMARY KEY, note text);
INSERT INTO public.x VALUES (1, 'canary: must survive every round trip');
CREATE SCHEMA "s""; DROP TABLE public.x; --";
CREATE TYPE "s""; DROP TABLE public.x; --"."e'); DROP TABLE public.x; --" AS ENUM ('a''); DROP TABLE public.x; --', '$$', '*/');
CREATE TABLE "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --" (
  "id" serial PRIMARY KEY,
  "c'); DROP TABLE public.x; --" text DEFAULT 'd''; DROP TABLE public.x; --',
  "$$" text,
  "*/ /*" "s""; DROP TABLE public.x; --"."e'); DROP TABLE public.x; --",
  "tab	and\\back" int);
CREATE INDEX "i*/ ""; DROP TABLE public.x; --" ON "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --" ("c'); DROP TABLE public.x; --");
COMMENT ON TABLE "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --" IS 'ends */ has $$ and '' and ; DROP TABLE public.x; --';
COMMENT ON COLUMN "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --"."$$" IS '$x$ */ /* --';
CREATE ROLE "r""; DROP ROLE postgres; --" NOLOGIN;
ALTER TABLE "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "p""; DROP TABLE public.x; --" ON "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --"
  FOR SELECT TO "r""; DROP ROLE postgres; --" USING ("$$" <> '$$; DROP TABLE public.x; --');
GRANT USAGE ON SCHEMA "s""; DROP TABLE public.x; --" TO "r""; DROP ROLE postgres; --";
GRANT SELECT ON "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --" TO "r""; DROP ROLE postgres; --";
CREATE FUNCTION "s""; DROP TABLE public.x; --"."f$$"() RETURNS text LANGUAGE sql AS $fn$ SELECT '$$ */ ''; DROP TABLE public.x; --'::text $fn$;
CREATE VIEW "s""; DROP TABLE public.x; --"."v*/" AS SELECT "$$" AS "--" FROM "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --";
INSERT INTO "s""; DROP TABLE public.x; --"."a""; DROP TABLE x; --" ("c'); DROP TABLE public.x; --", "$$", "*/ /*", "tab	and\\back") VALUES
  (E'line1\n\\.\nline3', E'tab\there\\back', '$$', 1),
  ('\.', E'\\N', '*/', NULL),
  (NULL, E'\r\n', 'a''); DROP TABLE public.x; --', -1);
)SQL");
  const std::string regex = "^(public|auth|storage|s\"; DROP TABLE public\\.x; --)$";
  auto catalog = [&] {
    return cluster_->psql(
        "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
        " SELECT 'rel ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "   WHERE n.nspname NOT IN ('pg_catalog','information_schema','pg_toast')"
        " UNION ALL SELECT 'role ' || rolname FROM pg_roles"
        " UNION ALL SELECT 'policy ' || polname || ' ' || pg_get_expr(polqual, polrelid) FROM pg_policy"
        " UNION ALL SELECT 'proc ' || n.nspname || '.' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        "   WHERE n.nspname NOT IN ('pg_catalog','information_schema')"
        " UNION ALL SELECT 'comment ' || coalesce(d.description, '') FROM pg_description d WHERE d.objoid >= 16384"
        " UNION ALL SELECT 'enum ' || enumlabel FROM pg_enum"
        " UNION ALL SELECT 'acl ' || n.nspname || '.' || c.relname || ' ' || coalesce(c.relacl::text, '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ~ '^s\"'"
        ") q(x)");
  };
  auto before = checksums(regex);
  auto catalog_before = catalog();
  ASSERT_NE(before.find("s\"; DROP TABLE public.x; --.a\"; DROP TABLE x; --"), before.end())
      << ::testing::PrintToString(before);
  ts::TempFolder dir;
  auto e = env(dir.path);
  auto r = e.run({"backup", "--no-retention", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string prefix = crm::engine::scan_backup_dir(dir.path).front().name.prefix;
  EXPECT_EQ(ts::diff_maps(before, checksums(regex)), "") << "the backup changed the database";
  // Damage, then restore.
  cluster_->psql(R"SQL(DROP SCHEMA "s""; DROP TABLE public.x; --" CASCADE; UPDATE public.x SET note = 'damaged';)SQL");
  r = e.run({"restore", prefix, "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ts::diff_maps(before, checksums(regex)), "");
  EXPECT_EQ(catalog_before, catalog());
  EXPECT_EQ(cluster_->psql("SELECT note FROM public.x"), "canary: must survive every round trip\n");
  EXPECT_EQ(cluster_->psql(R"SQL(SELECT "s""; DROP TABLE public.x; --"."f$$"())SQL"), "$$ */ '; DROP TABLE public.x; --\n");
  // Restoring the same set twice changes nothing either.
  r = e.run({"restore", prefix, "--yes", "--no-attachments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(catalog_before, catalog());
  EXPECT_EQ(ts::diff_maps(before, checksums(regex)), "");
}
