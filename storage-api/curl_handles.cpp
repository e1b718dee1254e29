#include "storage-api/curl_handles.hpp"

#include "storage-api/cancel.hpp"

#include <iostream>
#include <mutex>
#include <stdexcept>

namespace crm::storage {

void ensure_curl_global() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  });
}

Easy::Easy() {
  ensure_curl_global();
  h_.reset(curl_easy_init());
  if (!h_) throw std::runtime_error("curl_easy_init failed");
}

Multi::Multi() {
  ensure_curl_global();
  h_.reset(curl_multi_init());
  if (!h_) throw std::runtime_error("curl_multi_init failed");
}

void SList::append(const std::string& line) {
  curl_slist* next = curl_slist_append(list_, line.c_str());
  if (!next) throw std::bad_alloc();
  list_ = next;
}

void append_auth_headers(SList& headers, std::string_view key) {
  std::string k(key);
  if (!k.starts_with("sb_")) headers.append("Authorization: Bearer " + k);
  headers.append("apikey: " + k);
}

void apply_common_options(CURL* h, const StorageConfig& cfg, char* errbuf) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg.timeouts.connect_ms);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, cfg.timeouts.low_speed_bytes);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, cfg.timeouts.low_speed_seconds);
  if (cfg.timeouts.request_ms > 0) curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg.timeouts.request_ms);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, cfg.insecure_tls ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, cfg.insecure_tls ? 0L : 2L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "crmbackup-native/" CRM_VERSION);
  abort_transfer_on_cancel(h, cfg);
}

void warn_if_insecure(const StorageConfig& cfg) {
  if (!cfg.insecure_tls) return;
  std::string msg =
      "warning: TLS certificate verification is disabled (--insecure); the storage server's identity is not checked";
  if (cfg.warn) cfg.warn(msg);
  else std::cerr << msg << "\n";
}

}  // namespace crm::storage
