#pragma once
// Stopping Storage work from outside (StorageConfig::cancelled, set when a signal arrives):
// checked between requests, in retry waits and inside every running transfer.
#include <curl/curl.h>

#include <chrono>
#include <string_view>

#include "storage-api/config.hpp"

namespace crm::storage {

bool cancel_requested(const StorageConfig& cfg);
// Throws StorageError kCancelled naming what was stopped, when cfg.cancelled says stop.
void throw_if_cancelled(const StorageConfig& cfg, std::string_view context);
// Makes libcurl abort h's transfer (CURLE_ABORTED_BY_CALLBACK) once cfg.cancelled says stop;
// cfg must outlive the transfer. Nothing is set when cfg has no cancelled predicate.
void abort_transfer_on_cancel(CURL* h, const StorageConfig& cfg);
// Sleeps for wait, waking every 50 ms to throw_if_cancelled.
void cancellable_sleep(const StorageConfig& cfg, std::chrono::milliseconds wait, std::string_view context);

}  // namespace crm::storage
