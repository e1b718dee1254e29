#pragma once
// The Storage API calls that are not bulk transfers: bucket checks, recursive listing (list-v2,
// falling back to v1 folder walks), batch deletes.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage-api/config.hpp"
#include "storage-api/http_session.hpp"
#include "storage-api/listing.hpp"

namespace crm::storage {

// {base}/object/{route/}{bucket}/{encoded name}; route "" (uploads), "authenticated", "info/authenticated".
std::string object_url(const StorageConfig& cfg, std::string_view route, const std::string& name);

enum class ListingMethod { kNone, kV2, kV1 };

class StorageClient {
 public:
  explicit StorageClient(StorageConfig cfg);

  const StorageConfig& config() const { return session_.config(); }

  // GET /bucket/{id}: a missing bucket lists as empty, so this is the only way to tell.
  bool bucket_exists();
  void create_bucket(bool is_public = false);
  // Every object under prefix, byte-ordered by name. Does not check that the bucket exists.
  std::vector<ObjectEntry> list_all(const std::string& prefix = "");
  ListingMethod last_listing_method() const { return method_; }
  // GET /object/info/authenticated/...; nullopt when the object does not exist.
  std::optional<ObjectEntry> object_info(const std::string& name);
  // DELETE /object/{bucket} with {"prefixes": [...]}, batch_size names a request; returns the
  // names the server reports as deleted.
  std::vector<std::string> delete_objects(const std::vector<std::string>& names, std::size_t batch_size = 1000);

  std::string object_url(std::string_view route, const std::string& name) const;

 private:
  std::vector<ObjectEntry> list_v2(const std::string& prefix, bool& unsupported);
  std::vector<ObjectEntry> list_v1(const std::string& prefix);
  [[noreturn]] void fail(std::string_view context, const HttpResponse& r) const;

  HttpSession session_;
  ListingMethod method_ = ListingMethod::kNone;
};

}  // namespace crm::storage
