#pragma once
// Settings of one Storage API endpoint and bucket, shared by listing, transfers and deletes.
#include <functional>
#include <string>

namespace crm::storage {

struct Timeouts {
  long connect_ms = 10000;
  // A transfer slower than low_speed_bytes per second for low_speed_seconds is aborted and
  // retried: catches a stalled server without capping big downloads.
  long low_speed_seconds = 30;
  long low_speed_bytes = 1;
  long request_ms = 0;  // 0: no overall cap
};

struct StorageConfig {
  std::string base_url;     // e.g. http://127.0.0.1:54321/storage/v1
  std::string service_key;  // never printed
  std::string bucket = "attachments";
  int transfers = 16;       // transfers in flight
  int max_retries = 6;      // per request, after the first attempt
  int retry_base_ms = 200;
  int retry_max_ms = 10000;
  bool insecure_tls = false;  // skips certificate checks; a warning is printed
  Timeouts timeouts;
  // Where warnings go (default: standard error).
  std::function<void(const std::string&)> warn;
  // Asked before every request, while every transfer runs (libcurl's progress callback, several
  // times a second) and during retry waits: true stops everything at once (the transfers in
  // flight are aborted, their partial files removed) with StorageError kCancelled. A signal
  // handler sets what it reads, so a Ctrl-C during a long download unwinds in well under a
  // second instead of waiting for the last object. Must be thread-safe; empty: never cancelled.
  std::function<bool()> cancelled;
};

}  // namespace crm::storage
