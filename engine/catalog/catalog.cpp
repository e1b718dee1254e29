#include "engine/catalog/catalog.hpp"

#include "engine/catalog/query_batch.hpp"
#include "engine/schema/kinds/registry.hpp"
#include "engine/schema/kinds/schemas.hpp"
#include "engine/schema/kinds/sql_files.hpp"

#include <set>
#include <stdexcept>

namespace crm::engine::catalog {
namespace {

std::string oid_array(const std::vector<Oid>& oids) {
  std::string s = "{";
  for (size_t i = 0; i < oids.size(); ++i) s += (i ? "," : "") + std::to_string(oids[i]);
  return s + "}";
}

}  // namespace

bool is_left_out_schema(const std::string& n) {
  static const std::set<std::string> exact = {
      "information_schema", "_analytics", "_realtime", "_supavisor", "auth", "etl", "extensions", "pgbouncer",
      "realtime", "storage", "supabase_functions", "supabase_migrations", "cron", "dbdev", "graphql",
      "graphql_public", "net", "pgmq", "pgsodium", "pgsodium_masks", "pgtle", "repack", "tiger", "tiger_data",
      "topology", "vault"};
  auto starts = [&](std::string_view p) { return n.compare(0, p.size(), p) == 0; };
  return exact.count(n) > 0 || starts("pg_") || starts("timescaledb_") || starts("_timescaledb_");
}

bool is_managed_app_schema(const std::string& n) { return n == "auth" || n == "storage"; }

Catalog load_catalog(pg::Connection& conn) {
  Catalog cat;
  cat.version = pg::PgVersion::of(conn);
  cat.version.require_supported("schema dump");
  const pg::PgVersion v = cat.version;

  // Which schemas are the application's, first: every other query is filtered by them.
  auto namespaces = schema::kinds::query_for("namespaces", v);
  if (!namespaces) throw std::logic_error("no variant of namespaces.sql for PostgreSQL " + v.text());
  schema::kinds::load_schemas(conn.exec(std::string(*namespaces)), cat);
  std::vector<Oid> app, all;
  for (const auto& n : cat.namespaces) app.push_back(n.oid);
  all = app;
  for (const auto& n : cat.managed) all.push_back(n.oid);
  const std::optional<std::string> app_p = oid_array(app), all_p = oid_array(all);

  // Every kind's queries in one round trip. First, as pg_dump does, ACCESS SHARE on the
  // application's tables, so that none is dropped or altered while the server deparses it
  // (the deparsers read the current catalogs, not the snapshot); held until the caller's
  // transaction ends. The schema oids are numbers we format ourselves.
  QueryBatch batch(conn);
  std::string app_list;
  for (Oid o : app) app_list += (app_list.empty() ? "" : ",") + std::to_string(o);
  if (!app_list.empty())
    batch.add(
        "DO $crm_lock$ DECLARE r record; BEGIN FOR r IN SELECT c.oid::pg_catalog.regclass::pg_catalog.text AS t "
        "FROM pg_catalog.pg_class c WHERE c.relnamespace IN (" + app_list + ") AND c.relkind IN ('r','p') "
        "ORDER BY c.oid LOOP EXECUTE 'LOCK TABLE ONLY ' || r.t || ' IN ACCESS SHARE MODE'; END LOOP; END $crm_lock$");
  // In the registry's order; -1 for a query the server's version lacks.
  std::vector<std::vector<long>> kind_queries;
  for (const auto& kind : schema::kinds::registry()) {
    auto& slots = kind_queries.emplace_back();
    for (const auto& q : kind.queries) {
      auto text = schema::kinds::query_for(q.stem, v);
      std::vector<std::optional<std::string>> params;
      if (q.param == schema::kinds::Param::kAppSchemas) params.push_back(app_p);
      if (q.param == schema::kinds::Param::kAllSchemas) params.push_back(all_p);
      slots.push_back(text ? static_cast<long>(batch.add(std::string(*text), std::move(params))) : -1);
    }
  }
  std::vector<pg::Result> R = batch.run();
  for (size_t k = 0; k < kind_queries.size(); ++k) {
    auto& rows = cat.kind_rows[std::string(schema::kinds::registry()[k].name)];
    for (long slot : kind_queries[k]) rows.push_back(slot < 0 ? pg::Result() : std::move(R[static_cast<size_t>(slot)]));
  }
  // The shared model, kind by kind in the registry's order (extension members first).
  for (const auto& kind : schema::kinds::registry())
    if (kind.load) kind.load(cat.kind_rows.find(kind.name)->second, cat);
  return cat;
}

}  // namespace crm::engine::catalog
