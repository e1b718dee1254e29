#include "engine/verify/verify_restore.hpp"

#include <map>

#include "engine/attachments/attachments.hpp"
#include "engine/catalog/catalog.hpp"
#include "engine/data/data_catalog.hpp"
#include "engine/errors.hpp"
#include "engine/io/hash.hpp"
#include "engine/restore/db_restore.hpp"
#include "pgwire/connection.hpp"
#include "pgwire/pg_version.hpp"
#include "pgwire/quote.hpp"

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

}  // namespace

std::string database_identity(pg::Connection& conn) {
  try {
    auto r = conn.exec("SELECT s.system_identifier::text || '/' || pg_catalog.current_database() AS id "
                       "FROM pg_catalog.pg_control_system() s");
    return std::string(r.get(0, "id"));
  } catch (const pg::PgError&) {
    return {};  // not allowed for this role: the other safety checks still apply
  }
}

RestoreIntoReport verify_restore_into(const SetInfo& set, const RestoreIntoOptions& o) {
  RestoreIntoReport rep;
  auto log = [&](const std::string& l) {
    if (o.log) o.log(l);
  };
  auto conn = connect_or_create(o.target, rep.created_database, o.log);
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
  try {
    restore_database(conn, in);
    rep.restored = true;
  } catch (const std::exception& e) {
    rep.problems.push_back({set.name.prefix, "restore", e.what()});
    return rep;
  }
  if (!set.manifest) {
    rep.problems.push_back({set.name.prefix, "legacy", "no manifest: restored, but nothing to compare with"});
    return rep;
  }
  const Manifest& m = *set.manifest;

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
  if (conn.exec("SELECT pg_catalog.to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS p").get_bool(0, "p")) {
    auto r = conn.exec("SELECT version FROM \"supabase_migrations\".\"schema_migrations\" ORDER BY version");
    std::vector<std::string> got;
    for (int i = 0; i < r.rows(); ++i) got.emplace_back(r.get(i, 0));
    rep.migrations_compared = got.size();
    if (got != m.applied_migrations)
      rep.problems.push_back({"supabase_migrations.schema_migrations", "migrations",
                              std::to_string(got.size()) + " versions, backup had " +
                                  std::to_string(m.applied_migrations.size())});
  }

  if (o.storage && m.attachments_included && !set.part("attachments").empty()) {
    log("Restoring the attachments into the scratch bucket " + o.storage->bucket + "...");
    std::vector<ObjectRecord> objects;
    for (const auto& ob : m.objects)
      objects.push_back({ob.path, ob.size, ob.xxh3_128, ob.content_type, ob.cache_control, ob.etag, ob.last_modified});
    RestoreAttachmentsOptions ro;
    ro.verify_download = true;
    ro.log = [&](const std::string& l) { log(l); };
    try {
      auto ar = restore_attachments(*o.storage, set.part("attachments"), objects, ro);
      rep.objects_compared = objects.size();
      for (const auto& f : ar.failures) rep.problems.push_back({f.path, "attachment", f.reason});
      if (!ar.listing_matches)
        rep.problems.push_back({o.storage->bucket, "attachment", "the bucket's listing differs from the backup"});
    } catch (const std::exception& e) {
      rep.problems.push_back({o.storage->bucket, "attachment", e.what()});
    }
  }
  return rep;
}

}  // namespace crm::engine
