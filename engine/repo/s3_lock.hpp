#pragma once
// The lock object of a backup writing to S3: "<root>.locks/<prefix>.json", written before the
// first part and rewritten every heartbeat interval until the manifest is in place. prune and
// other backups never delete a set whose lock is live. A lock is live when its object was
// rewritten within the stale period, unless it names this host and a process that no longer
// exists (a backup killed here is recognised at once instead of after the stale period).
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "s3/client.hpp"

namespace crm::engine::repo {

inline constexpr std::string_view kLockFolder = ".locks/";

struct LockTiming {
  std::chrono::seconds heartbeat{60};
  std::chrono::seconds stale_after{600};
};

std::string lock_key(const s3::Client& c, const std::string& set_prefix);
// The set prefix a key under the lock folder names, or "" when it is not a lock.
std::string lock_prefix_of(std::string_view key_below_root);
std::string lock_body(const std::string& set_prefix);

// Whether the lock object (as listed) still protects its set.
bool lock_is_live(s3::Client& c, const s3::ObjectInfo& lock, const LockTiming& timing, std::time_t now);

// Rewrites the lock every heartbeat interval on a thread (and client) of its own until stop().
class LockHeartbeat {
 public:
  LockHeartbeat(const s3::S3Config& cfg, std::string key, std::string set_prefix, std::chrono::seconds interval);
  ~LockHeartbeat();
  LockHeartbeat(const LockHeartbeat&) = delete;
  LockHeartbeat& operator=(const LockHeartbeat&) = delete;
  void stop() noexcept;

 private:
  void run(s3::S3Config cfg);
  std::string key_, prefix_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace crm::engine::repo
