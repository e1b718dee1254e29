#include "engine/data/data_catalog.hpp"

#include <map>

#include "pgwire/pg_version.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

bool is_excluded_data_schema(std::string_view s) {
  static constexpr std::string_view kExact[] = {
      "information_schema", "graphql",   "graphql_public", "pgsodium",   "pgsodium_masks",
      "pgtle",              "repack",    "tiger",          "tiger_data", "topology",
      "vault",              "etl",       "extensions",     "pgbouncer",  "realtime",
      "supabase_migrations", "_analytics", "_realtime",     "_supavisor"};
  for (auto e : kExact)
    if (s == e) return true;
  // pg_dump's --exclude-schema patterns "pg_*", "timescaledb_*", "_timescaledb_*".
  return starts_with(s, "pg_") || starts_with(s, "timescaledb_") || starts_with(s, "_timescaledb_");
}

bool is_excluded_data_table(std::string_view schema, std::string_view table) {
  if (schema == "auth" && table == "schema_migrations") return true;
  if (schema == "supabase_functions" && table == "migrations") return true;
  if (schema == "storage") {
    static constexpr std::string_view kStorage[] = {
        "migrations",       "buckets_vectors", "vector_indexes", "iceberg_namespaces",
        "iceberg_tables",   "buckets_analytics", "prefixes",     "s3_multipart_uploads",
        "s3_multipart_uploads_parts"};
    for (auto t : kStorage)
      if (table == t) return true;
  }
  return false;
}

std::vector<DataTable> list_data_tables(pg::Connection& conn) {
  // relkind 'r' covers leaf partitions (dumped on their own, as pg_dump does without
  // --load-via-partition-root); 'p' parents hold no rows. Extension members are skipped
  // unless the extension registered them as configuration (pg_extension_config_dump).
  auto r = conn.exec(R"SQL(
    SELECT c.oid::pg_catalog.int8 AS oid, n.nspname, c.relname,
           pg_catalog.pg_get_userbyid(c.relowner) AS owner,
           pg_catalog.pg_relation_size(c.oid) AS main_bytes,
           pg_catalog.pg_table_size(c.oid) AS total_bytes,
           pg_catalog.current_setting('block_size')::pg_catalog.int8 AS block_size,
           x.extoid IS NOT NULL AS ext_member,
           x.cfg_index IS NOT NULL AS ext_config,
           x.extcondition[x.cfg_index] AS ext_condition
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN LATERAL (
      SELECT e.oid AS extoid, e.extcondition,
             pg_catalog.array_position(e.extconfig, c.oid) AS cfg_index
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
        AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
      LIMIT 1) x ON true
    WHERE c.relkind = 'r' AND c.relpersistence IN ('p', 'u')
    ORDER BY n.nspname, c.relname)SQL");
  std::vector<DataTable> tables;
  std::map<std::uint32_t, size_t> by_oid;
  for (int i = 0; i < r.rows(); ++i) {
    std::string schema(r.get(i, "nspname")), name(r.get(i, "relname"));
    if (is_excluded_data_schema(schema) || is_excluded_data_table(schema, name)) continue;
    if (r.get_bool(i, "ext_member") && !r.get_bool(i, "ext_config")) continue;
    DataTable t;
    t.oid = static_cast<std::uint32_t>(r.get_int(i, "oid"));
    t.schema = std::move(schema);
    t.name = std::move(name);
    t.owner = std::string(r.get(i, "owner"));
    t.main_bytes = static_cast<std::uint64_t>(r.get_int(i, "main_bytes"));
    t.total_bytes = static_cast<std::uint64_t>(r.get_int(i, "total_bytes"));
    t.block_size = static_cast<std::uint64_t>(r.get_int(i, "block_size"));
    t.extension_condition = std::string(r.get(i, "ext_condition"));
    by_oid[t.oid] = tables.size();
    tables.push_back(std::move(t));
  }
  if (tables.empty()) return tables;
  std::string generated = pg::PgVersion::of(conn).at_least(12) ? "a.attgenerated = ''" : "true";
  auto cols = conn.exec(
      "SELECT a.attrelid::pg_catalog.int8 AS oid, a.attname FROM pg_catalog.pg_attribute a "
      "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
      "WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND " + generated +
      " ORDER BY a.attrelid, a.attnum");
  for (int i = 0; i < cols.rows(); ++i) {
    auto it = by_oid.find(static_cast<std::uint32_t>(cols.get_int(i, "oid")));
    if (it != by_oid.end()) tables[it->second].columns.emplace_back(cols.get(i, "attname"));
  }
  return tables;
}

std::vector<DataSequence> list_data_sequences(pg::Connection& conn) {
  auto r = conn.exec(R"SQL(
    SELECT n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
           EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                     AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                     AND d.deptype = 'e') AS ext_member
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'S' AND c.relpersistence IN ('p', 'u')
    ORDER BY n.nspname, c.relname)SQL");
  std::vector<DataSequence> out;
  for (int i = 0; i < r.rows(); ++i) {
    std::string schema(r.get(i, "nspname"));
    if (is_excluded_data_schema(schema) || r.get_bool(i, "ext_member")) continue;
    out.push_back({std::move(schema), std::string(r.get(i, "relname")), std::string(r.get(i, "owner"))});
  }
  return out;
}

std::vector<SequenceState> read_sequence_states(pg::Connection& conn, const std::vector<DataSequence>& seqs) {
  std::vector<SequenceState> out(seqs.size());
  constexpr size_t kBatch = 200;
  for (size_t start = 0; start < seqs.size(); start += kBatch) {
    std::string sql;
    size_t end = std::min(seqs.size(), start + kBatch);
    for (size_t i = start; i < end; ++i) {
      if (!sql.empty()) sql += " UNION ALL ";
      sql += "SELECT " + std::to_string(i) + " AS i, last_value::pg_catalog.text AS v, is_called FROM " +
             pg::quote_qualified(seqs[i].schema, seqs[i].name);
    }
    auto r = conn.exec(sql);
    for (int row = 0; row < r.rows(); ++row) {
      auto i = static_cast<size_t>(r.get_int(row, "i"));
      out[i].last_value = std::string(r.get(row, "v"));
      out[i].is_called = r.get_bool(row, "is_called");
    }
  }
  return out;
}

std::vector<std::string> read_applied_migrations(pg::Connection& conn) {
  auto exists = conn.exec(
      "SELECT pg_catalog.to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS present");
  if (!exists.get_bool(0, "present")) return {};
  auto r = conn.exec("SELECT version FROM \"supabase_migrations\".\"schema_migrations\" ORDER BY version");
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.get(i, 0));
  return out;
}

}  // namespace crm::engine
