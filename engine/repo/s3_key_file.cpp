// S3Repository's key file: the object "<root>crmbackup-key.json". S3 replaces an object
// atomically; the first one is put with If-None-Match so two first backups cannot each
// create a key and leave sets the other key cannot read.
#include "engine/repo/s3_repository.hpp"

namespace crm::engine::repo {

std::optional<std::string> S3Repository::read_key_file() {
  const std::string key = client_.key_for(std::string(kKeyFileName));
  if (!client_.head_object(key)) return std::nullopt;
  std::string json;
  client_.get_object(key, [&](std::string_view d) { json.append(d); });
  return json;
}

bool S3Repository::create_key_file(const std::string& json) {
  try {
    client_.put_object(client_.key_for(std::string(kKeyFileName)), json,
                       {.content_type = "application/json", .if_none_match = true});
    return true;
  } catch (const s3::S3Error& e) {
    if (e.kind() == s3::ErrorKind::kPreconditionFailed) return false;
    throw;
  }
}

void S3Repository::replace_key_file(const std::string& json) {
  client_.put_object(client_.key_for(std::string(kKeyFileName)), json, {.content_type = "application/json"});
}

}  // namespace crm::engine::repo
