#pragma once
// The S3 repository: s3://BUCKET/PREFIX holds a set's SQL files as objects named like the
// folder layout's files ("<root><set>-roles.sql", ..., "<root><set>-manifest.json") and its
// attachments as shared blobs (kBlobFolder). A set is complete only when its manifest object
// exists; the manifest is uploaded after every other part and deleted before them. A running
// backup holds "<root>.locks/<set>.json" (s3_lock.hpp). Sets written with the attachments under
// "<root><set>-attachments/<path>" are read too.
#include <chrono>
#include <filesystem>
#include <map>

#include "engine/repo/repository.hpp"
#include "engine/repo/s3_lock.hpp"
#include "s3/client.hpp"

namespace crm::engine::repo {

// Attachments are stored once: "<root>blobs/<xxh3-128>" holds the bytes of every attachment
// with that hash, whichever sets list it; a manifest with the option attachments_layout=blobs
// maps each bucket path to its blob. Sets of the folder layout ("<set>-attachments/<path>")
// stay readable.
inline constexpr std::string_view kBlobFolder = "blobs/";
bool uses_blobs(const Manifest& m);

struct S3RepositoryOptions {
  s3::S3Config config;
  LockTiming lock;
  // An unreferenced blob younger than this is kept: a backup may have uploaded it for a
  // manifest it has not written yet.
  std::chrono::seconds blob_grace{3600};
  // Where a backup stages its parts and restore/verify copy a set (a private folder per run).
  std::filesystem::path local_temp_root = std::filesystem::temp_directory_path();
};

class S3Repository final : public Repository {
 public:
  explicit S3Repository(S3RepositoryOptions opts);

  std::string display() const override;
  bool is_folder() const override { return false; }
  Capabilities capabilities() const override { return {.hard_links = false, .rename = false, .server_side_copy = true}; }

  std::vector<SetInfo> list_sets() override;
  SetInfo find_set(const std::string& prefix_or_path) override;
  std::vector<std::string> clean_crashed_runs() override;
  std::unique_ptr<SetReservation> reserve(std::time_t now) override;
  std::unique_ptr<SetReservation> reserve_named(const std::string& prefix) override;
  std::unique_ptr<PartReader> open_part(const SetInfo& set, const std::string& name) override;
  std::unique_ptr<LocalSet> local_set(const SetInfo& set, bool with_attachments) override;
  std::optional<std::vector<VerifyProblem>> verify_attachments_in_place(const SetInfo& set) override;
  void remove_set(const std::string& prefix) override;
  std::vector<std::string> sweep_unreferenced() override;
  AttachmentReuse stored_attachment_reuse(const std::string& exclude_prefix) override;
  std::optional<std::string> read_key_file() override;
  bool create_key_file(const std::string& json) override;
  void replace_key_file(const std::string& json) override;
  std::string key_file_location() const override { return display() + std::string(kKeyFileName); }

  const S3RepositoryOptions& options() const { return opts_; }
  s3::Client& client() { return client_; }
  // Every object key of a set (its parts; not its lock nor the blobs it refers to).
  std::vector<std::string> set_keys(const std::string& prefix);
  // hash -> size of every stored blob.
  std::map<std::string, std::uint64_t> blob_sizes();

 private:
  S3RepositoryOptions opts_;
  s3::Client client_;
};

}  // namespace crm::engine::repo
