#include "tests/support/storage_server.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simdjson.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "fixtures/sandbox/process.hpp"

namespace crm::testing {
namespace fs = std::filesystem;

std::string storage_server_binary() { return std::string(CRM_BINARY_DIR) + "/fixtures/crm-storage-server"; }
std::string cli_binary() { return std::string(CRM_BINARY_DIR) + "/crmbackup-native"; }

std::unique_ptr<StorageServer> StorageServer::start(const fs::path& root, const std::string& key,
                                                    const std::vector<std::string>& extra) {
  std::vector<std::string> args = {storage_server_binary(), "--root", root.string(), "--port", "0", "--threads", "48"};
  if (!key.empty()) {
    args.push_back("--service-key");
    args.push_back(key);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    dup2(out[1], 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::unique_ptr<StorageServer> s(new StorageServer());
  s->pid_ = pid;
  s->out_fd_ = out[0];
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos) {
    pollfd p{out[0], POLLIN, 0};
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("storage server did not start");
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("storage server exited before listening");
    line.append(buf, static_cast<std::size_t>(n));
  }
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0) throw std::runtime_error("unexpected first line from storage server: " + line);
  s->url_ = line.substr(prefix.size(), line.find('\n') - prefix.size());
  return s;
}

StorageServer::~StorageServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  if (out_fd_ >= 0) close(out_fd_);
}

namespace {
std::size_t collect(char* p, std::size_t sz, std::size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, sz * n);
  return sz * n;
}
std::string http(const std::string& method, const std::string& url, const std::string& body,
                 const std::string& content_type) {
  CURL* h = curl_easy_init();
  std::string out;
  curl_slist* hdr = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
  if (method != "GET") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(hdr);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK || status != 200)
    throw std::runtime_error("admin call " + url + " failed: " + curl_easy_strerror(rc) + " " + out);
  return out;
}
}  // namespace

std::string StorageServer::admin_post(const std::string& what, const std::string& json) {
  return http("POST", url_ + "/__admin/" + what, json, "application/json");
}
std::string StorageServer::admin_get(const std::string& what) { return http("GET", url_ + "/__admin/" + what, "", "application/json"); }

void StorageServer::put_raw(const std::string& bucket, const std::string& name, const std::string& bytes,
                            const std::string& content_type) {
  CURL* h = curl_easy_init();
  char* esc = curl_easy_escape(h, name.data(), static_cast<int>(name.size()));
  std::string url = url_ + "/__admin/raw/" + bucket + "?name=" + esc;
  curl_free(esc);
  curl_easy_cleanup(h);
  http("PUT", url, bytes, content_type);
}

void generate_bucket(const fs::path& root, const std::string& bucket, int files, double total_mb, std::uint64_t seed,
                     bool awkward) {
  std::vector<std::string> args = {storage_server_binary(), "generate", "--root", root.string(), "--bucket", bucket,
                                   "--files", std::to_string(files), "--total-mb", std::to_string(total_mb),
                                   "--seed", std::to_string(seed)};
  if (awkward) args.push_back("--awkward-names");
  auto r = sandbox::run_process(args);
  if (r.exit_code != 0) throw std::runtime_error("generate failed: " + r.err);
}

std::map<std::string, ServerObject> read_server_bucket(const fs::path& root, const std::string& bucket) {
  std::map<std::string, ServerObject> out;
  simdjson::dom::parser parser;
  for (const fs::path& base : {root / bucket, root / ".unsafe" / bucket}) {
    if (!fs::exists(base)) continue;
    for (const auto& e : fs::recursive_directory_iterator(base)) {
      if (!e.is_regular_file()) continue;
      std::string n = e.path().filename().string();
      if (!n.ends_with(".meta.json")) continue;
      simdjson::dom::element doc = parser.load(e.path().string());
      ServerObject o;
      o.data = e.path().parent_path() / n.substr(0, n.size() - std::string(".meta.json").size());
      o.size = static_cast<std::uint64_t>(doc["size"].get_uint64().value());
      o.content_type = std::string(doc["content_type"].get_string().value());
      o.cache_control = std::string(doc["cache_control"].get_string().value());
      out[std::string(doc["name"].get_string().value())] = o;
    }
  }
  return out;
}

}  // namespace crm::testing
