#include "engine/verify/verify_restore.hpp"

#include <functional>
#include <map>
#include <optional>

#include "engine/attachments/attachments.hpp"
#include "engine/catalog/catalog.hpp"
#include "engine/data/data_catalog.hpp"
#include "engine/data/matviews.hpp"
#include "engine/data/migrations_sql.hpp"
#include "engine/db_connect.hpp"
#include "engine/db_lock_wait.hpp"
#include "engine/errors.hpp"
#include "engine/io/hash.hpp"
#include "engine/restore/db_restore.hpp"
#include "engine/util/interrupt_guard.hpp"
#include "pgwire/connection.hpp"
#include "pgwire/pg_version.hpp"
#include "pgwire/quote.hpp"
#include "storage-api/errors.hpp"

namespace crm::engine {
namespace {

pg::Connection connect_or_create(const pg::ConnectOptions& target, bool& created,
                                 const std::function<void(const std::string&)>& log) {
  try {
    auto conn = pg::Connection::open(target);
    pg::PgVersion::of(conn).require_supported("verify --restore-into");
    return conn;
  } catch (const pg::PgError& e) {
    if (e.server_message().find("does not exist") == std::string::npos) throw;
  }
  std::string db = pg::target_database(target.target);
  if (db.empty()) throw UsageError("--restore-into names no database");
  pg::ConnectOptions maint = target;
  maint.target = pg::target_with_database(target.target, "postgres");
  auto admin = pg::Connection::open(maint);
  pg::PgVersion::of(admin).require_supported("verify --restore-into");
  admin.exec("CREATE DATABASE " + pg::quote_ident(db));
  created = true;
  if (log) log("Created the scratch database " + db);
  return pg::Connection::open(target);
}

// The scratch database verify created: removed when the restore into it fails (or anything
// throws before the restore succeeded), so a failed run leaves nothing behind. Declared
// before the connection to it, so that connection is closed first.
class ScratchDatabase {
 public:
  ScratchDatabase(const pg::ConnectOptions& target, const std::function<void(const std::string&)>& log)
      : target_(target), log_(log) {}
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  ~ScratchDatabase() {
    try {
      drop();
    } catch (...) {
      // Already failing: the original error is the one to report.
    }
  }
  void arm(bool created) { armed_ = created; }
  void keep() { armed_ = false; }
  // Drops the database if armed; the caller's connection to it must be closed.
  bool drop() {
    if (!armed_) return false;
    armed_ = false;
    std::string db = pg::target_database(target_.target);
    pg::ConnectOptions maint = target_;
    maint.target = pg::target_with_database(target_.target, "postgres");
    auto admin = pg::Connection::open(maint);
    admin.exec("DROP DATABASE IF EXISTS " + pg::quote_ident(db));
    if (log_) log_("Removed the scratch database " + db + " this run created");
    return true;
  }

 private:
  pg::ConnectOptions target_;
  std::function<void(const std::string&)> log_;
  bool armed_ = false;
};

// Tables outside the platform's schemas that hold at least one row.
std::vector<std::string> tables_with_rows(pg::Connection& conn) {
  auto tables = conn.exec(
      "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind = 'r' ORDER BY 1, 2");
  std::vector<std::string> out;
  for (int r = 0; r < tables.rows(); ++r) {
    std::string schema(tables.get(r, 0));
    if (catalog::is_left_out_schema(schema)) continue;  // the platform's, not application data
    std::string q = pg::quote_qualified(schema, tables.get(r, 1));
    if (conn.exec("SELECT EXISTS (SELECT 1 FROM " + q + ") AS e").get_bool(0, "e")) out.push_back(schema + "." + std::string(tables.get(r, 1)));
  }
  return out;
}

// Populated state and rows (as a multiset: REFRESH picks its own order) of every
// materialized view the manifest records.
void compare_matviews(pg::Connection& conn, const Manifest& m, RestoreIntoReport& rep) {
  for (const auto& v : m.matviews) {
    std::string key = v.schema + "." + v.name;
    auto r = conn.exec_params(
        "SELECT c.relispopulated FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1) AND c.relkind = 'm'",
        {pg::quote_qualified(v.schema, v.name)});
    ++rep.matviews_compared;
    if (r.rows() == 0) {
      rep.problems.push_back({key, "matview", "missing after the restore"});
      continue;
    }
    bool populated = r.get_bool(0, "relispopulated");
    if (populated != v.populated) {
      rep.problems.push_back({key, "matview", std::string(populated ? "populated" : "not populated") +
                                                  " after the restore, the backup's was " +
                                                  (v.populated ? "populated" : "not populated")});
      continue;
    }
    if (!populated) continue;
    auto d = digest_matview(conn, v.schema, v.name);
    // What a REFRESH gives from the restored rows (checked against the manifest above).
    auto fresh = digest_matview_query(conn, v.schema, v.name);
    if (d != fresh)
      rep.problems.push_back({key, "matview", "holds " + std::to_string(d.rows) + " rows, its query gives " +
                                                  std::to_string(fresh.rows) + " from the restored data"});
    else if (!v.rows_xxh3_128_sum.empty() && (d.rows != v.rows || d.xxh3_128_sum != v.rows_xxh3_128_sum))
      rep.problems.push_back({key, "matview", "holds " + std::to_string(d.rows) + " rows (backup had " +
                                                  std::to_string(v.rows) + "), content " +
                                                  (d.xxh3_128_sum == v.rows_xxh3_128_sum ? "equal" : "differs")});
  }
}

// Every supabase_migrations table the set's migrations.sql holds: the same rows in the
// columns the file names (the target's own extra columns are not the backup's).
void compare_migrations(pg::Connection& conn, const std::filesystem::path& part, RestoreIntoReport& rep) {
  for (const auto& t : read_migrations_sql(part)) {
    std::string key = t.schema + "." + t.name;
    std::string cols;
    for (const auto& c : t.columns) cols += (cols.empty() ? "" : ", ") + pg::quote_ident(c);
    RowSetDigest d;
    try {
      d = row_set_digest(conn, "COPY (SELECT " + cols + " FROM " + pg::quote_qualified(t.schema, t.name) + ") TO STDOUT");
    } catch (const pg::PgError& e) {
      rep.problems.push_back({key, "migrations", std::string("cannot be read after the restore: ") + e.what()});
      continue;
    }
    rep.migrations_compared += d.rows;
    if (d != t.content)
      rep.problems.push_back({key, "migrations", "holds " + std::to_string(d.rows) + " rows (backup had " +
                                                     std::to_string(t.content.rows) + "), content " +
                                                     (d.xxh3_128_sum == t.content.xxh3_128_sum ? "equal" : "differs")});
  }
}

// After a committed restore: every table's rows and checksum, the sequences, the materialized
// views, the migration history and (with a scratch bucket) the attachments, against the manifest.
void compare_with_manifest(pg::Connection& conn, const SetInfo& set, const Manifest& m,
                           const storage::StorageConfig* storage, RestoreIntoReport& rep,
                           const std::function<void(const std::string&)>& log) {
  log("Comparing tables with the manifest...");
  conn.exec("SET synchronize_seqscans = off");  // read every table from its first block, as it was loaded
  std::map<std::string, DataTable> present;
  for (auto& t : list_data_tables(conn)) present[t.schema + "." + t.name] = t;
  for (const auto& t : m.tables) {
    std::string key = t.schema + "." + t.name;
    auto it = present.find(key);
    if (it == present.end()) {
      rep.problems.push_back({key, "table", "missing after the restore"});
      continue;
    }
    std::string cols;
    for (const auto& c : it->second.columns) cols += (cols.empty() ? "" : ", ") + pg::quote_ident(c);
    Xxh3Hasher h;
    auto stats = conn.copy_out("COPY " + pg::quote_qualified(t.schema, t.name) + " (" + cols + ") TO STDOUT",
                               [&](std::string_view chunk) { h.update(chunk); });
    ++rep.tables_compared;
    rep.rows_compared += stats.rows;
    if (stats.rows != t.rows || h.hex() != t.xxh3_128)
      rep.problems.push_back({key, "table", "restored " + std::to_string(stats.rows) + " rows (backup had " +
                                                std::to_string(t.rows) + "), content " +
                                                (h.hex() == t.xxh3_128 ? "equal" : "differs")});
  }
  for (const auto& s : m.sequences) {
    auto r = conn.exec("SELECT last_value::text AS v, is_called FROM " + pg::quote_qualified(s.schema, s.name));
    ++rep.sequences_compared;
    if (std::to_string(s.value) != r.get(0, "v") || s.is_called != r.get_bool(0, "is_called"))
      rep.problems.push_back({s.schema + "." + s.name, "sequence",
                              "value " + std::string(r.get(0, "v")) + ", backup had " + std::to_string(s.value)});
  }
  compare_matviews(conn, m, rep);
  if (auto part = set.part("migrations.sql"); !part.empty()) {
    compare_migrations(conn, part, rep);
  } else if (conn.exec("SELECT pg_catalog.to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS p").get_bool(0, "p")) {
    auto r = conn.exec("SELECT version FROM \"supabase_migrations\".\"schema_migrations\" ORDER BY version");
    std::vector<std::string> got;
    for (int i = 0; i < r.rows(); ++i) got.emplace_back(r.get(i, 0));
    rep.migrations_compared = got.size();
    if (got != m.applied_migrations)
      rep.problems.push_back({"supabase_migrations.schema_migrations", "migrations",
                              std::to_string(got.size()) + " versions, backup had " +
                                  std::to_string(m.applied_migrations.size())});
  }

  if (storage && m.attachments_included && !set.part("attachments").empty()) {
    log("Restoring the attachments into the scratch bucket " + storage->bucket + "...");
    std::vector<ObjectRecord> objects = manifest_objects(m);
    RestoreAttachmentsOptions ro;
    ro.verify_download = true;
    ro.log = [&](const std::string& l) { log(l); };
    try {
      auto ar = restore_attachments(*storage, set.part("attachments"), objects, ro);
      rep.objects_compared = objects.size();
      for (const auto& f : ar.failures) rep.problems.push_back({f.path, "attachment", f.reason});
      if (!ar.listing_matches)
        rep.problems.push_back({storage->bucket, "attachment", "the bucket's listing differs from the backup"});
    } catch (const storage::StorageError& e) {
      if (e.kind() == storage::ErrorKind::kCancelled) throw;
      rep.problems.push_back({storage->bucket, "attachment", e.what()});
    } catch (const std::exception& e) {
      rep.problems.push_back({storage->bucket, "attachment", e.what()});
    }
  }
}

}  // namespace

RestoreIntoReport verify_restore_into(const SetInfo& set, const RestoreIntoOptions& o) {
  RestoreIntoReport rep;
  auto log = [&](const std::string& l) {
    if (o.log) o.log(l);
  };
  // Before any thread and before the scratch database is touched: a signal then cancels the
  // restore and unwinds instead of killing the process with the transaction open.
  InterruptGuard guard("the restore into the scratch database had not committed: the server rolls it back when "
                       "the connection closes");
  ScratchDatabase scratch(o.target, o.log);
  std::optional<pg::Connection> scratch_conn;
  scratch_conn.emplace(connect_or_create(o.target, rep.created_database, o.log));
  scratch.arm(rep.created_database);
  pg::Connection& conn = *scratch_conn;
  auto cancel = guard.on_signal([h = std::make_shared<pg::CancelHandle>(conn.cancel_handle())] { h->cancel(); });
  if (o.lock_timeout.count() > 0) set_lock_timeout(conn, o.lock_timeout);
  // Optional so it can stop before the connection it watches is closed (the scratch database
  // is dropped after a failed restore).
  std::optional<LockWaitWatcher> lock_watch;
  lock_watch.emplace(o.target, conn, o.lock_timeout, [&](const std::string& l) { log(l); });
  std::string where = pg::redact_target(o.target.target);
  if (set.manifest) {
    auto it = set.manifest->options.find("source_identity");
    std::string here = database_identity(conn);
    if (it != set.manifest->options.end() && !it->second.empty() && it->second == here)
      throw UsageError("refusing to restore into " + where + ": it is the database this backup was taken from; "
                       "verify --restore-into needs a scratch database");
  }
  if (!rep.created_database) {
    auto busy = tables_with_rows(conn);
    if (!busy.empty() && !o.assume_yes)
      throw UsageError("refusing to restore into " + where + ": it holds application data (" +
                       std::to_string(busy.size()) + " tables with rows, e.g. " + busy.front() +
                       "); use a scratch database, or pass --yes to replace its contents");
  }

  DbRestoreInput in = db_restore_input(set);
  in.log = [&](const std::string& l) { log(l); };
  in.verbose = o.verbose;
  in.lock_timeout = o.lock_timeout;
  try {
    restore_database(conn, in);
    rep.restored = true;
  } catch (const std::exception& e) {
    guard.throw_if_interrupted("verify --restore-into was cancelled: the restore into " + where + " was rolled back");
    rethrow_if_lock_timeout(e, *lock_watch, "verify --restore-into " + where + " failed",
                            "The restore into it was rolled back.");
    rep.problems.push_back({set.name.prefix, "restore", e.what()});
    lock_watch.reset();
    scratch_conn.reset();
    try {
      rep.dropped_database = scratch.drop();
    } catch (const std::exception& d) {
      rep.problems.push_back({pg::redact_target(o.target.target), "restore",
                              std::string("could not remove the scratch database: ") + d.what()});
    }
    return rep;
  }
  scratch.keep();
  if (!set.manifest) {
    rep.problems.push_back({set.name.prefix, "legacy", "no manifest: restored, but nothing to compare with"});
    return rep;
  }
  const Manifest& m = *set.manifest;

  guard.set_note("the scratch database " + where + " holds the restored backup; the comparison did not finish");
  // The signal cancels the COPY or the upload in flight; what fails then is the interruption.
  storage::StorageConfig storage_cfg;
  if (o.storage) {
    storage_cfg = *o.storage;
    storage_cfg.cancelled = [&guard] { return guard.signal_number() != 0; };
  }
  try {
    compare_with_manifest(conn, set, m, o.storage ? &storage_cfg : nullptr, rep, log);
  } catch (const std::exception&) {
    guard.throw_if_interrupted("verify --restore-into was stopped during the comparison; the scratch database " +
                               where + " holds the restored backup");
    throw;
  }
  return rep;
}

}  // namespace crm::engine
