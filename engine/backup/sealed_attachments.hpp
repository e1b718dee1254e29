#pragma once
// Encrypting a backup's staged attachments, several files at once: each file is read, encrypted
// into a temporary sibling and renamed over its final name. No file is fsynced on its own; the
// caller makes the whole staging folder durable once (syncfs), which on a bucket of thousands
// of files is the difference between a few seconds and a minute.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "crypto/data_key.hpp"

namespace crm::engine {

struct SealJob {
  std::filesystem::path plain;   // the downloaded file
  std::filesystem::path sealed;  // where its encrypted copy goes (may equal plain)
  std::string binding;           // set by the caller, or by name_blob
  bool name_blob = false;        // S3: name the copy by the keyed hash of the content (sealed is then
                                 // its folder), binding "blobs/<name>"
  std::string blob;  // name_blob: the name when already known (computed while downloading); else filled in
  // Filled in:
  bool duplicate = false;  // name_blob: another job holds the same content; nothing was written
  std::uint64_t stored_bytes = 0;
  std::string stored_xxh3_128;
};

// Runs every job on `threads` threads; throws the first failure (naming the file) after the
// others stopped. Of the name_blob jobs with equal content, one writes the blob.
void seal_files(std::vector<SealJob>& jobs, const crypto::DataKey& key, unsigned threads);

// The keyed BLAKE2b name of a file's content (crypto/blob_name.hpp).
std::string keyed_blob_name(const std::filesystem::path& file, const crypto::DataKey& key);

// syncfs(2) of the filesystem holding dir: everything written there is durable after it.
void sync_filesystem_of(const std::filesystem::path& dir);

}  // namespace crm::engine
