#include "engine/restore/restore_runner.hpp"

#include <chrono>
#include <exception>
#include <iostream>

#include "engine/attachments/attachments.hpp"
#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/encrypted_set.hpp"
#include "engine/db_connect.hpp"
#include "engine/db_lock_wait.hpp"
#include "engine/errors.hpp"
#include "engine/format/human.hpp"
#include "engine/format/json_writer.hpp"
#include "engine/io/progress.hpp"
#include "engine/restore/db_restore.hpp"
#include "engine/repo/folder_repository.hpp"
#include "engine/repo/readable_set.hpp"
#include "engine/restore/restore_prompt.hpp"
#include "engine/util/interrupt_guard.hpp"
#include "pgwire/pg_version.hpp"
#include "engine/backupset/verify_files.hpp"
#include "storage-api/client.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

RestoreOutcome run_restore(const RestoreOptions& o, std::ostream& out, std::istream& in, bool stdin_is_terminal) {
  RestoreOutcome res;
  std::shared_ptr<repo::Repository> repository = o.repository;
  if (!repository) repository = std::make_shared<repo::FolderRepository>(o.backup_dir);
  std::unique_ptr<repo::LocalSet> local;
  bool encrypted = false;  // then the set's files here are a decrypted copy that goes away
  {
    SetInfo stored = repository->find_set(o.set);
    encrypted = is_encrypted(stored);
    if (!repository->is_folder()) {
      // Only a committed set leaves the repository: parts without a manifest are never restored.
      if (stored.state == SetState::InProgress)
        throw UsageError("the backup " + stored.name.prefix + " is still being written");
      if (!stored.manifest)
        throw UsageError("the backup " + stored.name.prefix + " in " + repository->display() + " is " +
                         to_string(stored.state) + " (" + stored.state_reason + "): it is not restored");
      out << "Downloading " << stored.name.prefix << " from " << repository->display() << "...\n" << std::flush;
    }
    local = repo::open_readable_set(*repository, stored, o.attachments, o.unlock_key);
  }
  const SetInfo& set = local->set();
  const std::string& prefix = set.name.prefix;
  std::string missing;
  if (set.part("roles.sql").empty()) missing += " roles.sql";
  if (set.part("schema.sql").empty()) missing += " schema.sql";
  if (set.data_part().empty()) missing += " data.sql";
  if (!missing.empty())
    throw UsageError("Backup files not found for prefix: " + prefix + " (missing:" + missing +
                     "). All three files (roles, schema, data) must exist.");
  if (set.state == SetState::InProgress) throw UsageError("the backup " + prefix + " is still being written");

  // Refuse a damaged set before anything is touched.
  auto problems = verify_set_files(set, {.attachments = o.attachments});
  bool damaged = false;
  for (const auto& p : problems) {
    if (p.kind == "legacy") {
      out << "Note: " << p.file << ": " << p.detail << "\n";
      continue;
    }
    damaged = true;
    out << "  \u2717 " << p.file << ": " << p.kind << " (" << p.detail << ")\n";
  }
  if (damaged && !o.force)
    throw DamagedSetError("the backup " + prefix +
                             " does not match its manifest (see above): refusing to restore a damaged backup; "
                             "nothing was changed. Use --force to restore it anyway.");
  if (damaged)
    out << "\n!!! --force: RESTORING A BACKUP THAT FAILED VERIFICATION. The result may be incomplete or wrong. !!!\n\n";

  bool with_attachments = o.attachments && set.parts.count("attachments") &&
                          (!set.manifest || set.manifest->attachments_included);
  storage::StorageConfig storage_cfg = o.storage;
  if (with_attachments && o.resolve_storage) storage_cfg = o.resolve_storage();
  print_restore_summary(out, set, o.attachments);
  switch (confirm_restore(o.assume_yes, in, out, stdin_is_terminal)) {
    case Confirmation::Yes: break;
    case Confirmation::No:
      out << "Restore cancelled; nothing was changed.\n";
      res.exit_code = 2;  // the README's "refused confirmation"
      return res;
    case Confirmation::NoTerminal:
      throw UsageError("refusing to restore without confirmation: there is no terminal to ask on. "
                       "Pass --yes to confirm that the database (and attachments) may be replaced.");
  }

  // From here on a signal cancels the server work and unwinds (before this point nothing
  // has been touched, and the default action is right). Constructed before any thread.
  InterruptGuard guard("the restore had not committed: the server rolls its transaction back when the connection "
                       "closes, and the database is unchanged");

  // Every storage request and transfer stops as soon as a signal arrives.
  storage_cfg.cancelled = [&guard] { return guard.signal_number() != 0; };
  // Check the bucket side before the database is touched: a rejected key fails here.
  std::unique_ptr<storage::StorageClient> client;
  if (with_attachments) {
    client = std::make_unique<storage::StorageClient>(storage_cfg);
    client->bucket_exists();
  }

  auto conn = connect_database(o.db);
  auto cancel = guard.on_signal([h = std::make_shared<pg::CancelHandle>(conn.cancel_handle())] { h->cancel(); });
  if (o.lock_timeout.count() > 0) set_lock_timeout(conn, o.lock_timeout);
  LockWaitWatcher lock_watch(o.db, conn, o.lock_timeout,
                             [&](const std::string& l) { out << ("  " + l + "\n") << std::flush; });
  pg::PgVersion::of(conn).require_supported("restore");
  out << "Restoring database in a single transaction...\n" << std::flush;
  DbRestoreInput di = db_restore_input(set);
  di.rewrite_from = o.rewrite_from;
  di.rewrite_to = o.rewrite_to;
  di.verbose = o.verbose;
  di.lock_timeout = o.lock_timeout;
  di.log = [&](const std::string& l) { out << "  " << l << "\n" << std::flush; };
  std::uint64_t data_bytes = 0;
  {
    std::error_code ec;
    data_bytes = fs::file_size(di.data, ec);
  }
  // The executor counts COPY payload bytes; the file also holds statements, so the total is
  // an upper bound and the ETA errs on the long side.
  Progress progress({.label = "data", .enabled = o.show_progress}, set.data_part() == "data.sql" ? data_bytes : 0, 0);
  std::uint64_t reported = 0;
  di.progress = [&](std::uint64_t b) {
    progress.add_bytes(b - reported);
    reported = b;
  };
  DbRestoreStats st;
  try {
    st = restore_database(conn, di);
    progress.finish();
  } catch (const std::exception& e) {
    progress.finish();
    guard.throw_if_interrupted("the restore was cancelled: the database was rolled back and is unchanged");
    rethrow_if_lock_timeout(e, lock_watch, "restore failed", "The database was rolled back and is unchanged.");
    // Nested: the CLI still sees the PgError (SQLSTATE) or the platform check underneath.
    std::throw_with_nested(
        std::runtime_error(std::string("restore failed, the database was rolled back and is unchanged:\n  ") + e.what()));
  }
  out << "\u2713 Database restored: " << format_count(st.copy_rows) << " rows, " << st.statements
      << " statements (" << st.deferred_statements << " after the data) in " << format_duration(st.seconds) << "\n";
  if (st.rewritten_rows) out << "  Rewrote attachment URLs in " << st.rewritten_rows << " rows\n";
  guard.set_note("the database was restored (it had committed); the attachments were not fully restored: run the "
                 "same command again");
  guard.throw_if_interrupted("the database was restored (it had committed); the attachments were not restored");

  JsonWriter w;
  w.begin_object().field("prefix", prefix).field("database_restored", true).field("rows", st.copy_rows);
  w.field("statements", st.statements).field("seconds", st.seconds);
  if (with_attachments) {
    out << "Restoring attachments...\n" << std::flush;
    RestoreAttachmentsOptions ro;
    ro.verify_download = o.verify_download;
    ro.show_progress = o.show_progress;
    ro.log = [&](const std::string& l) { out << "  " << l << "\n" << std::flush; };
    auto objects = set.manifest ? manifest_objects(*set.manifest) : std::vector<ObjectRecord>{};
    RestoreAttachmentsResult ar;
    try {
      ar = restore_attachments(storage_cfg, set.part("attachments"), objects, ro);
    } catch (const std::exception& e) {
      guard.throw_if_interrupted("the database was restored (it had committed); the attachments were not fully "
                                 "restored: run the same command again to upload them");
      ar.failures.push_back({"(bucket)", e.what()});
    }
    w.key("attachments").begin_object().field("uploaded", static_cast<std::uint64_t>(ar.uploaded))
        .field("deleted", static_cast<std::uint64_t>(ar.deleted)).field("listing_matches", ar.listing_matches)
        .key("failures").begin_array();
    for (const auto& f : ar.failures) w.begin_object().field("path", f.path).field("reason", f.reason).end_object();
    w.end_array().end_object();
    if (!ar.ok()) {
      out << "\u2717 The database was restored, but the attachments were not fully restored:\n";
      for (const auto& f : ar.failures) out << "    " << f.path << ": " << f.reason << "\n";
      if (ar.failures.empty()) out << "    the bucket's listing does not match the backup\n";
      out << "  The files are in " << (repository->is_folder() && !encrypted ? set.part("attachments").string() : repository->display())
          << " and can be uploaded again with the same command.\n";
      res.exit_code = 3;
      w.field("ok", false).key("error").begin_object().field("code", "attachments_failed")
          .field("message", "the database was restored, but the attachments were not fully restored")
          .field("hint", "run the same restore again to upload them").end_object();
      w.field("exit_code", 3).end_object();
      res.json = w.str();
      return res;
    }
    out << "\u2713 Attachments restored: " << ar.uploaded << " uploaded, " << ar.deleted << " deleted"
        << (ar.hashes_verified ? ", every file re-downloaded and verified" : "") << "\n";
  }
  out << "\u2713 Restore completed successfully!\n";
  w.field("ok", true).end_object();
  res.json = w.str();
  return res;
}

}  // namespace crm::engine
