#pragma once
// Materialized views in data.sql. schema.sql creates them WITH NO DATA (as pg_dump does); the
// ones that were populated in the source get `REFRESH MATERIALIZED VIEW` at the end of
// data.sql, after every row they read, dependencies first: a plain psql replay of schema.sql
// then data.sql fills them, and the restore runs the same statements after its post-data part.
// What a refresh gives in the backup's snapshot (the view's query run there, rows as a
// multiset) goes into the manifest so `verify --restore-into` can compare: not the rows the
// source stored, which may be stale (refreshed before the latest changes), while a restore's
// REFRESH computes them from the restored rows.
#include <string>
#include <vector>

#include "engine/data/row_set_hash.hpp"
#include "pgwire/connection.hpp"

namespace crm::engine {

struct MatviewState {
  std::string schema, name, owner;
  bool populated = false;  // pg_class.relispopulated
  // Reads another materialized view: what its REFRESH gives after a restore depends on that
  // view's fresh rows, not on the (possibly stale) ones the snapshot holds, so no digest.
  bool reads_matview = false;
  RowSetDigest content;    // of the populated ones, filled by digest_matview_query
};

// The materialized views schema.sql writes (application schemas, not extension members), in
// dependency order: one reading another (directly or through views) comes after it.
std::vector<MatviewState> list_matviews(pg::Connection& conn);

// The rows a populated materialized view holds, as a multiset.
RowSetDigest digest_matview(pg::Connection& conn, const std::string& schema, const std::string& name);
// The rows its query gives now (what a REFRESH would store), as a multiset.
RowSetDigest digest_matview_query(pg::Connection& conn, const std::string& schema, const std::string& name);

// The comment header and `REFRESH MATERIALIZED VIEW "s"."m";` (pg_dump's MATERIALIZED VIEW DATA).
std::string refresh_matview_sql(const MatviewState& m);

// True for a `REFRESH MATERIALIZED VIEW` statement (the restore runs them after post-data).
bool is_refresh_matview_statement(std::string_view statement);

}  // namespace crm::engine
