#include "engine/repo/s3_lock.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include <simdjson.h>

#include "engine/backupset/set_name.hpp"
#include "engine/format/human.hpp"
#include "engine/format/json_writer.hpp"

namespace crm::engine::repo {

namespace {

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

bool process_exists(long pid) {
  if (pid <= 0) return true;  // unknown: do not guess it dead
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

std::string lock_key(const s3::Client& c, const std::string& set_prefix) {
  return c.key_for(std::string(kLockFolder) + set_prefix + ".json");
}

std::string lock_prefix_of(std::string_view rel) {
  if (rel.substr(0, kLockFolder.size()) != kLockFolder) return "";
  rel.remove_prefix(kLockFolder.size());
  if (rel.size() <= 5 || rel.substr(rel.size() - 5) != ".json") return "";
  rel.remove_suffix(5);
  return parse_prefix(rel) ? std::string(rel) : "";
}

std::string lock_body(const std::string& set_prefix) {
  JsonWriter w;
  w.begin_object().field("prefix", set_prefix).field("host", host_name())
      .field("pid", static_cast<std::uint64_t>(::getpid())).field("heartbeat", format_iso8601_utc(std::time(nullptr)))
      .end_object();
  return w.str();
}

bool lock_is_live(s3::Client& c, const s3::ObjectInfo& lock, const LockTiming& timing, std::time_t now) {
  auto modified = parse_utc_timestamp(lock.last_modified);
  // Without a readable time the lock is taken as live: deleting a running backup is worse
  // than keeping a crashed one until someone looks.
  if (modified && std::difftime(now, *modified) > static_cast<double>(timing.stale_after.count())) return false;
  try {
    std::string body;
    c.get_object(lock.key, [&](std::string_view d) { body.append(d); });
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body).get(doc) == simdjson::SUCCESS) {
      std::string_view host;
      std::int64_t pid = 0;
      if (doc["host"].get(host) == simdjson::SUCCESS && doc["pid"].get(pid) == simdjson::SUCCESS &&
          host == host_name() && !process_exists(pid))
        return false;
    }
  } catch (const s3::S3Error& e) {
    if (e.kind() == s3::ErrorKind::kNoSuchKey) return false;  // removed since the listing
  }
  return true;
}

LockHeartbeat::LockHeartbeat(const s3::S3Config& cfg, std::string key, std::string set_prefix,
                             std::chrono::seconds interval)
    : key_(std::move(key)), prefix_(std::move(set_prefix)), interval_(interval) {
  thread_ = std::thread([this, cfg] { run(cfg); });
}

LockHeartbeat::~LockHeartbeat() { stop(); }

void LockHeartbeat::stop() noexcept {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void LockHeartbeat::run(s3::S3Config cfg) {
  try {
    s3::Client client(cfg);
    std::unique_lock lk(mu_);
    while (!cv_.wait_for(lk, interval_, [this] { return stopping_; })) {
      lk.unlock();
      try {
        client.put_object(key_, lock_body(prefix_), {.content_type = "application/json"});
      } catch (const std::exception&) {
        // The next beat tries again; a lock that stays stale is the store's problem to report
        // through the parts' own uploads failing.
      }
      lk.lock();
    }
  } catch (const std::exception&) {
  }
}

}  // namespace crm::engine::repo
