#pragma once
// RAII owners of libcurl handles, and the options every Storage request shares.
#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

#include "storage-api/config.hpp"

namespace crm::storage {

// curl_global_init once per process, before the first handle.
void ensure_curl_global();

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};

class Easy {
 public:
  Easy();
  CURL* get() const { return h_.get(); }

 private:
  std::unique_ptr<CURL, EasyDeleter> h_;
};

class Multi {
 public:
  Multi();
  CURLM* get() const { return h_.get(); }

 private:
  std::unique_ptr<CURLM, MultiDeleter> h_;
};

class SList {
 public:
  SList() = default;
  ~SList() { curl_slist_free_all(list_); }
  SList(const SList&) = delete;
  SList& operator=(const SList&) = delete;
  SList(SList&& o) noexcept : list_(o.list_) { o.list_ = nullptr; }
  SList& operator=(SList&& o) noexcept {
    std::swap(list_, o.list_);
    return *this;
  }
  void append(const std::string& line);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// The authentication headers: a legacy JWT key goes in Authorization and apikey; an opaque
// sb_ key in apikey only (the gateway swaps it for a token).
void append_auth_headers(SList& headers, std::string_view service_key);
// Timeouts, TLS verification, keep-alive, HTTP/2 when offered, no signals.
void apply_common_options(CURL* easy, const StorageConfig& cfg, char* errbuf);
// Prints the insecure-TLS warning once per call site's config.
void warn_if_insecure(const StorageConfig& cfg);

}  // namespace crm::storage
