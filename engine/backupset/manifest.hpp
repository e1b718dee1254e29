#pragma once
// The manifest: written last, it marks a set complete and records what verify and restore
// check against (file sizes and hashes, per-table rows and hashes, sequences, migrations,
// every attachment).
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crm::engine {

inline constexpr int kManifestFormatVersion = 1;
inline constexpr std::string_view kManifestFormatName = "crmbackup-native-manifest";

struct ManifestFile {
  std::string name;  // file name inside BACKUP_DIR, e.g. "backup-...-roles.sql"
  std::string role;  // roles | schema | data | migrations | applied-migrations
  std::uint64_t size = 0;
  std::string xxh3_128;
};

struct ManifestTable {
  std::string schema;
  std::string name;
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  std::string xxh3_128;  // of the table's COPY payload in data.sql
};

struct ManifestSequence {
  std::string schema;
  std::string name;
  std::int64_t value = 0;
  bool is_called = false;
};

// A materialized view: whether the source had it populated and, if so, the rows a REFRESH
// gives in the backup's snapshot, as a multiset (a REFRESH may store them in another order).
struct ManifestMatview {
  std::string schema;
  std::string name;
  bool populated = false;
  std::uint64_t rows = 0;
  // Sum of the rows' XXH3-128 modulo 2^128; empty when not populated or when the view reads
  // another materialized view (its rows then depend on that one's refresh, not the snapshot).
  std::string rows_xxh3_128_sum;
};

struct ManifestObject {
  std::string path;  // the object's name in the bucket = its path under <prefix>-attachments/
  std::uint64_t size = 0;
  std::string xxh3_128;
  std::string content_type;
  std::string cache_control;
  std::string etag;
  std::string last_modified;
  std::string source = "downloaded";  // downloaded | linked | copied | stored (already in an S3 repository)
  std::string from_set;               // for linked/copied: the set it came from
  // The S3 blob holding the bytes when it is not named by xxh3_128: an encrypted set's blobs
  // are named by a keyed hash (crypto/blob_name.hpp), so equal files are not recognisable
  // across repositories. Empty in every other set.
  std::string blob;
  const std::string& blob_name() const { return blob.empty() ? xxh3_128 : blob; }
};

struct Manifest {
  int format_version = kManifestFormatVersion;
  std::string tool_version;
  std::string prefix;
  std::string server_version;
  std::string database;  // redacted target (never a password)
  std::string snapshot_time;
  std::string started_at;  // UTC, "...Z": the set's time for listing and retention
  std::string finished_at;
  std::map<std::string, std::string> options;
  std::vector<ManifestFile> files;
  std::vector<ManifestTable> tables;
  std::vector<ManifestSequence> sequences;
  std::vector<std::string> applied_migrations;
  std::vector<ManifestMatview> matviews;  // absent (empty) in manifests written before they were recorded
  // What the backup knowingly left out, e.g. schema objects of a kind schema.sql cannot
  // write yet: restore and verify repeat them so nobody learns it from a missing object.
  std::vector<std::string> warnings;
  bool attachments_included = false;
  std::string bucket;
  std::vector<ManifestObject> objects;

  const ManifestFile* file_with_role(std::string_view role) const;
  std::uint64_t attachments_bytes() const;
};

struct ManifestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string manifest_to_json(const Manifest& m);
// Throws ManifestError naming source and the field that is wrong.
Manifest parse_manifest(std::string_view json, const std::string& source);

}  // namespace crm::engine
