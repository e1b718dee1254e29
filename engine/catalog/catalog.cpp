#include "engine/catalog/catalog.hpp"

#include "engine/catalog/query_batch.hpp"
#include "engine/schema/kinds/registry.hpp"
#include "engine/schema/kinds/sql_files.hpp"
#include "pgwire/quote.hpp"

#include <set>
#include <stdexcept>

namespace crm::engine::catalog {
namespace {

Oid oid_at(const pg::Result& r, int row, std::string_view col) { return static_cast<Oid>(r.get_int(row, col)); }
char char_at(const pg::Result& r, int row, std::string_view col) {
  auto v = r.get(row, col);
  return v.empty() ? '\0' : v[0];
}
std::string str_at(const pg::Result& r, int row, std::string_view col) { return std::string(r.get(row, col)); }

std::vector<std::string> split_unit(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find('\x1f', start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::string oid_array(const std::vector<Oid>& oids) {
  std::string s = "{";
  for (size_t i = 0; i < oids.size(); ++i) s += (i ? "," : "") + std::to_string(oids[i]);
  return s + "}";
}

AclEntry acl_entry(const pg::Result& r, int i) {
  return {str_at(r, i, "grantor"), str_at(r, i, "grantee"), str_at(r, i, "privilege_type"),
          r.get_bool(i, "is_grantable")};
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
  // The catalog queries are files in engine/schema/kinds/, in the variant for this version.
  auto query = [&](std::string_view stem) {
    auto text = schema::kinds::query_for(stem, v);
    if (!text) throw std::logic_error("no variant of " + std::string(stem) + ".sql for PostgreSQL " + v.text());
    return std::string(*text);
  };

  std::vector<Oid> app, all;
  {
    auto r = conn.exec(query("namespaces"));
    for (int i = 0; i < r.rows(); ++i) {
      Namespace ns{oid_at(r, i, "oid"), str_at(r, i, "nspname"), str_at(r, i, "owner"), r.get_bool(i, "has_acl")};
      if (!is_left_out_schema(ns.name)) {
        app.push_back(ns.oid);
        all.push_back(ns.oid);
        cat.namespaces.push_back(std::move(ns));
      } else if (is_managed_app_schema(ns.name)) {
        all.push_back(ns.oid);
        cat.managed.push_back(std::move(ns));
      }
    }
  }
  const std::optional<std::string> app_p = oid_array(app), all_p = oid_array(all);

  // Every remaining query in one round trip. First, as pg_dump does, ACCESS SHARE on the
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
  size_t q_extmembers = batch.add(query("extension_members"));
  size_t q_relations = batch.add(query("relations"), {all_p});
  size_t q_columns = batch.add(query("columns"), {app_p});
  size_t q_constraints = batch.add(query("constraints"), {app_p});
  size_t q_indexes = batch.add(query("indexes"), {app_p});
  size_t q_defacl = batch.add(query("default_acls"));
  size_t q_unsupported = batch.add(query("unsupported"), {app_p});
  size_t q_comments = batch.add(query("comments"));
  size_t q_depend = batch.add(query("dependencies"));
  size_t q_acl = batch.add(query("acls"), {app_p});
  // The kinds' own queries, in the registry's order; -1 for a query the server's version lacks.
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

  {
    auto& r = R[q_extmembers];
    for (int i = 0; i < r.rows(); ++i)
      cat.extension_members[{oid_at(r, i, "classid"), oid_at(r, i, "objid")}] = oid_at(r, i, "refobjid");
  }
  auto is_member = [&](Oid cls, Oid oid) { return cat.extension_members.count({cls, oid}) > 0; };

  std::map<Oid, size_t> rel_index;
  {
    auto& r = R[q_relations];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(kPgClass, oid_at(r, i, "oid"))) continue;
      Relation rel{};
      rel.oid = oid_at(r, i, "oid");
      rel.reltype = oid_at(r, i, "reltype");
      rel.schema = str_at(r, i, "nspname");
      rel.name = str_at(r, i, "relname");
      rel.owner = str_at(r, i, "owner");
      rel.kind = char_at(r, i, "relkind");
      rel.persistence = char_at(r, i, "relpersistence");
      rel.replident = char_at(r, i, "relreplident");
      rel.has_acl = r.get_bool(i, "has_acl");
      rel.rls = r.get_bool(i, "relrowsecurity");
      rel.force_rls = r.get_bool(i, "relforcerowsecurity");
      rel.is_partition = r.get_bool(i, "relispartition");
      rel.reloptions = split_unit(r.get(i, "reloptions"));
      rel.toast_reloptions = split_unit(r.get(i, "toast_reloptions"));
      rel.access_method = str_at(r, i, "access_method");
      rel.partbound = r.get_opt(i, "partbound");
      rel.partkey = r.get_opt(i, "partkey");
      rel.viewdef = r.get_opt(i, "viewdef");
      std::string parents = str_at(r, i, "parents");
      for (size_t p = 0; p < parents.size();) {
        size_t e = parents.find(',', p);
        if (e == std::string::npos) e = parents.size();
        rel.parents.push_back(static_cast<Oid>(std::stoul(parents.substr(p, e - p))));
        p = e + 1;
      }
      rel.rewrite_oid = oid_at(r, i, "rewrite_oid");
      if (rel.kind == 'S') {
        Sequence s{};
        s.type = str_at(r, i, "seq_type");
        s.start = str_at(r, i, "seqstart");
        s.increment = str_at(r, i, "seqincrement");
        s.min = str_at(r, i, "seqmin");
        s.max = str_at(r, i, "seqmax");
        s.cache = str_at(r, i, "seqcache");
        s.cycle = r.get_bool(i, "seqcycle");
        s.owner_table = oid_at(r, i, "seq_owner");
        s.owner_attnum = static_cast<int>(r.get_int(i, "seq_owner_col"));
        s.owner_deptype = char_at(r, i, "seq_deptype");
        rel.sequence = s;
      }
      rel_index[rel.oid] = cat.relations.size();
      cat.relations.push_back(std::move(rel));
    }
  }
  {
    auto& r = R[q_columns];
    for (int i = 0; i < r.rows(); ++i) {
      auto it = rel_index.find(oid_at(r, i, "attrelid"));
      if (it == rel_index.end()) continue;
      Column c{};
      c.attnum = static_cast<int>(r.get_int(i, "attnum"));
      c.name = str_at(r, i, "attname");
      c.type = str_at(r, i, "typ");
      c.collation = str_at(r, i, "coll");
      c.not_null = r.get_bool(i, "attnotnull");
      if (auto nn = r.get_opt(i, "nn_oid")) {
        c.not_null_oid = static_cast<Oid>(std::stoul(*nn));
        c.not_null_name = str_at(r, i, "nn_name");
        c.not_null_no_inherit = r.get_bool(i, "nn_noinherit");
        c.not_null_is_local = r.get_bool(i, "nn_islocal");
        c.not_null_valid = r.get_bool(i, "nn_validated");
        // A NOT VALID one is added after the data, from the constraints list.
        if (!r.get_bool(i, "nn_validated")) c.not_null = false;
      }
      c.is_local = r.get_bool(i, "attislocal");
      c.inh_count = static_cast<int>(r.get_int(i, "attinhcount"));
      c.identity = char_at(r, i, "attidentity");
      c.generated = char_at(r, i, "attgenerated");
      c.default_expr = r.get_opt(i, "defexpr");
      c.attrdef_oid = oid_at(r, i, "attrdef_oid");
      c.stat_target = static_cast<int>(r.get_int(i, "stat"));
      c.storage = char_at(r, i, "attstorage");
      c.type_storage = char_at(r, i, "typstorage");
      c.options = split_unit(r.get(i, "opts"));
      c.compression = char_at(r, i, "attcompression");
      c.has_acl = r.get_bool(i, "has_acl");
      cat.relations[it->second].columns.push_back(std::move(c));
    }
  }
  {
    auto& r = R[q_constraints];
    for (int i = 0; i < r.rows(); ++i) {
      Constraint c{};
      c.oid = oid_at(r, i, "oid");
      if (is_member(kPgConstraint, c.oid)) continue;
      c.name = str_at(r, i, "conname");
      c.schema = str_at(r, i, "nspname");
      c.type = char_at(r, i, "contype");
      c.relid = oid_at(r, i, "conrelid");
      c.typid = oid_at(r, i, "contypid");
      c.parentid = oid_at(r, i, "conparentid");
      c.indexid = oid_at(r, i, "conindid");
      c.is_local = r.get_bool(i, "conislocal");
      c.validated = r.get_bool(i, "convalidated");
      c.def = str_at(r, i, "def");
      cat.constraints.push_back(std::move(c));
    }
  }
  {
    auto& r = R[q_indexes];
    for (int i = 0; i < r.rows(); ++i) {
      Index x{};
      x.oid = oid_at(r, i, "indexrelid");
      if (is_member(kPgClass, x.oid)) continue;
      x.relid = oid_at(r, i, "indrelid");
      x.schema = str_at(r, i, "nspname");
      x.name = str_at(r, i, "relname");
      x.def = str_at(r, i, "def");
      x.clustered = r.get_bool(i, "indisclustered");
      x.replident = r.get_bool(i, "indisreplident");
      x.is_partition_child = r.get_bool(i, "is_child");
      x.constraint_oid = oid_at(r, i, "con");
      cat.indexes.push_back(std::move(x));
    }
  }
  {
    auto& r = R[q_defacl];
    for (int i = 0; i < r.rows(); ++i) {
      Oid oid = oid_at(r, i, "oid");
      if (cat.default_acls.empty() || cat.default_acls.back().oid != oid) {
        cat.default_acls.push_back({oid, str_at(r, i, "role"), str_at(r, i, "nsp"), char_at(r, i, "defaclobjtype"), {}});
      }
      if (!r.is_null(i, r.column("ord"))) cat.default_acls.back().acl.push_back(acl_entry(r, i));
    }
  }
  {
    auto& r = R[q_unsupported];
    for (int i = 0; i < r.rows(); ++i) {
      if (is_member(oid_at(r, i, "cls"), oid_at(r, i, "oid"))) continue;
      std::string schema;
      for (const auto& n : cat.namespaces)
        if (n.oid == oid_at(r, i, "nsp")) schema = n.name;
      cat.unsupported.push_back({str_at(r, i, "kind"), schema, str_at(r, i, "name")});
    }
  }
  {
    auto& r = R[q_comments];
    for (int i = 0; i < r.rows(); ++i)
      cat.comments.push_back({{oid_at(r, i, "classoid"), oid_at(r, i, "objoid")},
                              static_cast<int>(r.get_int(i, "objsubid")), str_at(r, i, "description")});
  }
  {
    auto& r = R[q_depend];
    for (int i = 0; i < r.rows(); ++i)
      cat.dependencies.push_back({{oid_at(r, i, "classid"), oid_at(r, i, "objid")},
                                  {oid_at(r, i, "refclassid"), oid_at(r, i, "refobjid")},
                                  char_at(r, i, "deptype")});
  }
  {
    auto& r = R[q_acl];
    for (int i = 0; i < r.rows(); ++i) {
      auto key = std::make_tuple(oid_at(r, i, "cls"), oid_at(r, i, "oid"), static_cast<int>(r.get_int(i, "sub")));
      auto& acl = cat.acls[key];
      if (!r.is_null(i, r.column("ord"))) acl.push_back(acl_entry(r, i));
    }
  }
  return cat;
}

}  // namespace crm::engine::catalog
