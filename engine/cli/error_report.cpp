#include "engine/cli/error_report.hpp"

#include <cerrno>
#include <system_error>

#include "crypto/key_file.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/errors.hpp"
#include "engine/format/json_writer.hpp"
#include "engine/restore/platform_check.hpp"
#include "pgwire/error.hpp"
#include "s3/config.hpp"
#include "s3/errors.hpp"
#include "storage-api/errors.hpp"

namespace crm::cli {
namespace {

struct Code {
  const char* code;
  int exit_code = kExitFailure;
};

Code from_sqlstate(const pg::PgError& e) {
  const std::string& s = e.sqlstate();
  if (e.connection_lost()) return {"database_unreachable"};
  if (s.rfind("28", 0) == 0) return {"database_auth"};  // 28000, 28P01
  if (s == "55P03") return {"lock_timeout"};
  if (s == "3D000") return {"database_not_found"};
  if (s == "53100") return {"disk_full"};
  return {"database_error"};
}

Code from_storage_kind(const storage::StorageError& e) {
  switch (e.kind()) {
    case storage::ErrorKind::kKeyRejected: return {"storage_auth"};
    case storage::ErrorKind::kTransport: return {"storage_unreachable"};
    case storage::ErrorKind::kBucketMissing:
    case storage::ErrorKind::kNotFound: return {"storage_not_found"};
    // Only reached when no InterruptedError wrapped it (the runners convert it with the signal).
    case storage::ErrorKind::kCancelled: return {"interrupted"};
    case storage::ErrorKind::kHttp:
    case storage::ErrorKind::kProtocol:
    case storage::ErrorKind::kLocal: break;
  }
  return {"storage_error"};
}

Code from_s3_kind(const s3::S3Error& e) {
  if (s3::is_auth_error(e.kind())) return {"repository_auth"};
  switch (e.kind()) {
    case s3::ErrorKind::kTransport:
    case s3::ErrorKind::kSlowDown: return {"repository_unreachable"};
    case s3::ErrorKind::kNoSuchBucket:
    case s3::ErrorKind::kWrongRegion: return {"repository_not_found"};
    case s3::ErrorKind::kIntegrity: return {"repository_integrity"};
    default: break;
  }
  return {"repository_error"};
}

Code from_errno(const std::system_error& e) {
  const auto& cat = e.code().category();
  if (cat != std::generic_category() && cat != std::system_category()) return {"io_error"};
  switch (e.code().value()) {
    case ENOSPC:
    case EDQUOT: return {"disk_full"};
    case EACCES:
    case EPERM:
    case EROFS: return {"permission"};
    case ENOENT: return {"not_found"};
    default: return {"io_error"};
  }
}

// The code of one error in the chain, or nullptr when its type says nothing.
const char* classify_one(const std::exception& e, ErrorReport& r) {
  auto set = [&](Code c) {
    r.exit_code = c.exit_code;
    return c.code;
  };
  if (dynamic_cast<const engine::UsageError*>(&e)) return set({"usage", kExitUsage});
  if (auto* i = dynamic_cast<const engine::InterruptedError*>(&e)) return set({"interrupted", 128 + i->signal_number()});
  if (dynamic_cast<const engine::LockTimeoutError*>(&e)) return set({"lock_timeout"});
  if (dynamic_cast<const engine::DamagedSetError*>(&e)) return set({"damaged_set"});
  if (dynamic_cast<const crypto::WrongPassphraseError*>(&e)) return set({"wrong_passphrase", kExitPassphrase});
  if (dynamic_cast<const engine::PassphraseRequiredError*>(&e)) return set({"passphrase_required", kExitPassphrase});
  if (dynamic_cast<const crypto::KeyFileError*>(&e)) return set({"key_file_damaged"});
  if (dynamic_cast<const engine::TargetLacksPlatformError*>(&e)) return set({"target_lacks_platform"});
  if (auto* p = dynamic_cast<const pg::PgError*>(&e)) {
    r.hint = p->hint();
    return set(from_sqlstate(*p));
  }
  if (auto* s = dynamic_cast<const storage::StorageError*>(&e)) return set(from_storage_kind(*s));
  if (auto* s = dynamic_cast<const s3::S3Error*>(&e)) return set(from_s3_kind(*s));
  if (dynamic_cast<const s3::ConfigError*>(&e)) return set({"repository_config", kExitUsage});
  if (auto* s = dynamic_cast<const std::system_error*>(&e)) return set(from_errno(*s));
  return nullptr;
}

std::string default_hint(const std::string& code) {
  if (code == "usage") return "see --help for the command's flags and settings";
  if (code == "database_unreachable")
    return "check that the database is running and that --db-url (or SUPABASE_DB_URL) points at it";
  if (code == "database_auth") return "check the user and password the message names";
  if (code == "database_not_found") return "check the database name in --db-url (or SUPABASE_DB_URL)";
  if (code == "lock_timeout")
    return "another session holds a lock the work needs (named in the message): end it, or wait longer with "
           "--lock-timeout";
  if (code == "storage_unreachable")
    return "check that the Storage API is running and that --storage-url (or SUPABASE_STORAGE_URL) points at it";
  if (code == "storage_auth") return "set SUPABASE_SERVICE_ROLE_KEY (or --service-key) to the project's service_role key";
  if (code == "storage_not_found") return "check --bucket, or pass --no-attachments to leave the bucket out";
  if (code == "repository_unreachable")
    return "check that the S3 endpoint (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) is reachable; the request was retried";
  if (code == "repository_auth")
    return "check the S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), and the key's "
           "permissions on the bucket";
  if (code == "repository_not_found") return "check the bucket in --repo s3://BUCKET/PREFIX and AWS_REGION";
  if (code == "repository_config")
    return "set the S3 credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and the endpoint";
  if (code == "repository_integrity")
    return "the bytes read back differ from the ones stored: run verify on the set, then back up again";
  if (code == "disk_full") return "free space on the disk named in the message, or choose another BACKUP_DIR";
  if (code == "permission")
    return "check the owner and mode of the path named in the message and which user runs the command";
  if (code == "damaged_set")
    return "run the verify command on this backup for the details; restore --force restores it anyway";
  if (code == "target_lacks_platform")
    return "restore into a Supabase database (local: supabase start; hosted: the project's database URL), "
           "which has the roles and schemas the message names";
  if (code == "wrong_passphrase")
    return "give the passphrase the repository's encrypted backups were made with (--passphrase-file, "
           "CRMBACKUP_PASSPHRASE_FILE or CRMBACKUP_PASSPHRASE); nothing was changed";
  if (code == "passphrase_required")
    return "set --passphrase-file FILE, CRMBACKUP_PASSPHRASE_FILE or CRMBACKUP_PASSPHRASE; nothing was changed";
  if (code == "key_file_damaged")
    return "the repository's key file (crmbackup-key.json) cannot be read: restore it from a copy";
  if (code == "interrupted") return "the unfinished work was undone; run the command again";
  return {};
}

std::string strip_hint_line(std::string message, const std::string& hint) {
  std::string line = "\nHINT: " + hint;
  if (!hint.empty() && message.size() >= line.size() && message.ends_with(line))
    message.resize(message.size() - line.size());
  return message;
}

}  // namespace

ErrorReport classify_error(std::exception_ptr error) {
  ErrorReport r;
  const char* code = nullptr;
  bool outermost = true;
  while (error) {
    std::exception_ptr inner;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      if (outermost) r.message = e.what();
      if (!code) code = classify_one(e, r);
      try {
        std::rethrow_if_nested(e);
      } catch (...) {
        inner = std::current_exception();
      }
    } catch (...) {
      if (outermost) r.message = "unknown error";
    }
    outermost = false;
    error = inner;
  }
  r.code = code ? code : "failed";
  r.human = r.message;
  r.message = strip_hint_line(r.message, r.hint);
  if (r.hint.empty()) r.hint = default_hint(r.code);
  return r;
}

std::string error_json(const ErrorReport& report) {
  engine::JsonWriter w;
  w.begin_object().field("ok", false).key("error").begin_object();
  w.field("code", report.code).field("message", report.message).field("hint", report.hint).end_object();
  w.field("exit_code", report.exit_code).end_object();
  return w.str();
}

}  // namespace crm::cli
