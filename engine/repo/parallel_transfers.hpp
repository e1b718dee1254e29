#pragma once
// Runs one transfer per item on a few worker threads, each with its own S3 client (a client is
// not thread-safe). The first failure stops the rest and is rethrown with the item it hit.
#include <cstddef>
#include <functional>

#include "s3/client.hpp"

namespace crm::engine::repo {

void run_transfers(const s3::S3Config& cfg, std::size_t items, int workers,
                   const std::function<void(s3::Client& client, std::size_t item)>& transfer);

}  // namespace crm::engine::repo
