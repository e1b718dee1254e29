#include "engine/data/matviews.hpp"

#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

#include "engine/catalog/catalog.hpp"
#include "engine/schema/toposort.hpp"
#include "engine/format/sql_comment.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine {

std::vector<MatviewState> list_matviews(pg::Connection& conn) {
  auto r = conn.exec(R"SQL(
    SELECT c.oid::pg_catalog.int8 AS oid, n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
           c.relispopulated,
           EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                     AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                     AND d.deptype = 'e') AS ext_member
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'm'
    ORDER BY n.nspname, c.relname)SQL");
  std::vector<MatviewState> views;
  std::vector<std::int64_t> oids;
  std::map<std::int64_t, size_t> index;
  for (int i = 0; i < r.rows(); ++i) {
    std::string schema(r.get(i, "nspname"));
    if (catalog::is_left_out_schema(schema) || r.get_bool(i, "ext_member")) continue;
    index[r.get_int(i, "oid")] = views.size();
    oids.push_back(r.get_int(i, "oid"));
    views.push_back({schema, std::string(r.get(i, "relname")), std::string(r.get(i, "owner")),
                     r.get_bool(i, "relispopulated"), {}});
  }
  if (views.size() < 2) return views;
  // What each view or materialized view reads (its rewrite rule's dependencies).
  auto d = conn.exec(R"SQL(
    SELECT DISTINCT rw.ev_class::pg_catalog.int8 AS obj, d.refobjid::pg_catalog.int8 AS ref
    FROM pg_catalog.pg_rewrite rw
    JOIN pg_catalog.pg_class c ON c.oid = rw.ev_class AND c.relkind IN ('v', 'm')
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = rw.oid
     AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid <> rw.ev_class)SQL");
  std::map<std::int64_t, std::set<std::int64_t>> reads;
  for (int i = 0; i < d.rows(); ++i) reads[d.get_int(i, "obj")].insert(d.get_int(i, "ref"));
  // Materialized views each one reads, through any number of plain views.
  std::vector<std::pair<size_t, size_t>> edges;
  for (size_t v = 0; v < views.size(); ++v) {
    std::set<std::int64_t> seen;
    std::vector<std::int64_t> todo(reads[oids[v]].begin(), reads[oids[v]].end());
    while (!todo.empty()) {
      std::int64_t x = todo.back();
      todo.pop_back();
      if (!seen.insert(x).second) continue;
      if (auto it = index.find(x); it != index.end()) {
        if (it->second != v) {
          edges.emplace_back(it->second, v);
          views[v].reads_matview = true;
        }
        continue;
      }
      if (auto it = reads.find(x); it != reads.end()) todo.insert(todo.end(), it->second.begin(), it->second.end());
    }
  }
  std::vector<schema::SortKey> keys;
  for (const auto& m : views) keys.push_back({0, m.schema, m.name, ""});
  auto sorted = schema::topo_sort(keys, edges);
  std::vector<MatviewState> out;
  for (size_t i : sorted.order) out.push_back(std::move(views[i]));
  return out;
}

RowSetDigest digest_matview(pg::Connection& conn, const std::string& schema, const std::string& name) {
  return row_set_digest(conn, "COPY (SELECT * FROM " + pg::quote_qualified(schema, name) + ") TO STDOUT");
}

RowSetDigest digest_matview_query(pg::Connection& conn, const std::string& schema, const std::string& name) {
  // The server's own deparse of the definition, as schema.sql writes it.
  auto r = conn.exec_params("SELECT pg_catalog.pg_get_viewdef(pg_catalog.to_regclass($1)) AS def",
                            {pg::quote_qualified(schema, name)});
  std::string def(r.get(0, "def"));
  while (!def.empty() && (def.back() == ';' || std::isspace(static_cast<unsigned char>(def.back())))) def.pop_back();
  if (def.empty()) throw std::runtime_error("materialized view " + pg::quote_qualified(schema, name) + " has no definition");
  return row_set_digest(conn, "COPY (" + def + ") TO STDOUT");
}

std::string refresh_matview_sql(const MatviewState& m) {
  return "--\n-- Name: " + comment_safe(m.name) + "; Type: MATERIALIZED VIEW DATA; Schema: " + comment_safe(m.schema) +
         "; Owner: " + comment_safe(m.owner) + "\n--\n\nREFRESH MATERIALIZED VIEW " +
         pg::quote_qualified(m.schema, m.name) + ";\n\n\n";
}

bool is_refresh_matview_statement(std::string_view s) {
  size_t p = 0;
  auto word = [&](std::string_view w) {
    while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
    if (s.size() < p + w.size()) return false;
    for (size_t i = 0; i < w.size(); ++i)
      if (std::toupper(static_cast<unsigned char>(s[p + i])) != w[i]) return false;
    p += w.size();
    return p == s.size() || !std::isalnum(static_cast<unsigned char>(s[p]));
  };
  return word("REFRESH") && word("MATERIALIZED") && word("VIEW");
}

}  // namespace crm::engine
