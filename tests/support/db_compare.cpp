#include "tests/support/db_compare.hpp"

#include <sstream>
#include <vector>

#include "pgwire/quote.hpp"

namespace crm::testsupport {
namespace {

std::map<std::string, std::string> lines_to_map(const std::string& out) {
  std::map<std::string, std::string> m;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto bar = line.find('|');
    if (bar == std::string::npos) continue;
    m[line.substr(0, bar)] = line.substr(bar + 1);
  }
  return m;
}

}  // namespace

std::map<std::string, std::string> table_checksums(const sandbox::PgCluster& c, const std::string& db,
                                                   const std::string& schema_regex) {
  std::string list = c.psql(
      "SELECT n.nspname || '|' || r.relname FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace "
      "WHERE r.relkind = 'r' AND n.nspname ~ " + pg::quote_literal(schema_regex) +
      " AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname !~ '^pg_' ORDER BY 1",
      db);
  std::map<std::string, std::string> out;
  std::istringstream in(list);
  std::string line;
  std::string sql;
  while (std::getline(in, line)) {
    auto bar = line.find('|');
    if (bar == std::string::npos) continue;
    std::string q = pg::quote_qualified(line.substr(0, bar), line.substr(bar + 1));
    if (!sql.empty()) sql += " UNION ALL ";
    sql += "SELECT " + pg::quote_literal(line.substr(0, bar) + "." + line.substr(bar + 1)) +
           " || '|rows:' || count(*) || ' md5:' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM " + q + " t";
  }
  if (sql.empty()) return out;
  return lines_to_map(c.psql(sql, db));
}

std::map<std::string, std::string> sequence_values(const sandbox::PgCluster& c, const std::string& db,
                                                   const std::string& schema_regex) {
  return lines_to_map(c.psql(
      "SELECT schemaname || '.' || sequencename || '|' || coalesce(last_value::text, 'null') "
      "FROM pg_sequences WHERE schemaname ~ " + pg::quote_literal(schema_regex) + " ORDER BY 1",
      db));
}

std::string diff_maps(const std::map<std::string, std::string>& expected,
                      const std::map<std::string, std::string>& actual) {
  std::ostringstream d;
  for (const auto& [k, v] : expected) {
    auto it = actual.find(k);
    if (it == actual.end()) d << "missing " << k << "\n";
    else if (it->second != v) d << "differs " << k << ": expected " << v << ", got " << it->second << "\n";
  }
  for (const auto& [k, v] : actual)
    if (!expected.count(k)) d << "extra " << k << " (" << v << ")\n";
  return d.str();
}

}  // namespace crm::testsupport

namespace crm::testsupport {
namespace {

// Each query returns "key|value" rows; $NSP is replaced by the filter on a namespace oid column.
std::vector<std::string> census_queries(int major) {
  std::string member_opts = major >= 16 ? "m.admin_option::text || ' inherit=' || m.inherit_option::text || ' set=' || m.set_option::text"
                                        : "m.admin_option::text";
  return {
      // Relations: kind, persistence, owner, options, RLS, replica identity, populated state.
      R"(SELECT 'relation ' || c.oid::regclass::text || '|' || concat_ws(' ', c.relkind, c.relpersistence,
           pg_get_userbyid(c.relowner), c.reloptions::text, c.relrowsecurity, c.relforcerowsecurity, c.relreplident,
           c.relispartition, pg_get_expr(c.relpartbound, c.oid),
           CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
           (SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno) FROM pg_inherits i WHERE i.inhrelid = c.oid))
         FROM pg_class c WHERE c.relkind IN ('r','p','v','m','S','f','c') AND $NSP(c.relnamespace))",
      R"(SELECT 'populated ' || c.oid::regclass::text || '|' || c.relispopulated::text
         FROM pg_class c WHERE c.relkind = 'm' AND $NSP(c.relnamespace))",
      // Columns (by position among the live ones: dropped columns leave gaps in attnum): type, collation, NOT NULL, identity, generated kind, default or generation expression.
      R"(SELECT 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname) || '|' || concat_ws(' ',
           row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
           format_type(a.atttypid, a.atttypmod), a.attcollation::regcollation, a.attnotnull, a.attidentity,
           'gen=' || a.attgenerated::text, a.attislocal, a.attinhcount, a.attstorage, a.attstattarget, a.attoptions::text,
           pg_get_expr(d.adbin, d.adrelid), a.attacl::text)
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','v','m','f','c') AND $NSP(c.relnamespace))",
      // Constraints of tables and domains, NOT NULL rows of 18 included, as the server deparses them.
      R"(SELECT 'constraint ' || (pg_identify_object('pg_constraint'::regclass, co.oid, 0)).identity || '|' ||
           concat_ws(' ', co.contype, pg_get_constraintdef(co.oid), co.convalidated, co.conislocal, co.coninhcount,
           co.connoinherit, co.condeferrable, co.condeferred)
         FROM pg_constraint co WHERE co.conparentid = 0 AND $NSP(co.connamespace))",
      R"(SELECT 'index ' || i.indexrelid::regclass::text || '|' || concat_ws(' ', pg_get_indexdef(i.indexrelid),
           i.indisclustered, i.indisreplident, i.indisvalid)
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE $NSP(c.relnamespace))",
      R"(SELECT 'view ' || c.oid::regclass::text || '|' || pg_get_viewdef(c.oid)
         FROM pg_class c WHERE c.relkind IN ('v','m') AND $NSP(c.relnamespace))",
      R"(SELECT 'function ' || p.oid::regprocedure::text || '|' || concat_ws(' ', p.prokind, pg_get_userbyid(p.proowner),
           coalesce(p.proacl, acldefault('f', p.proowner))::text, CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END)
         FROM pg_proc p WHERE $NSP(p.pronamespace))",
      R"(SELECT 'trigger ' || (pg_identify_object('pg_trigger'::regclass, t.oid, 0)).identity || '|' ||
           concat_ws(' ', pg_get_triggerdef(t.oid), t.tgenabled)
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND $NSP(c.relnamespace))",
      R"(SELECT 'policy ' || quote_ident(schemaname) || '.' || quote_ident(tablename) || '.' || quote_ident(policyname) || '|' ||
           concat_ws(' ', permissive, roles::text, cmd, qual, with_check)
         FROM pg_policies WHERE $NSP((SELECT oid FROM pg_namespace WHERE nspname = schemaname)))",
      R"(SELECT 'rule ' || (pg_identify_object('pg_rewrite'::regclass, r.oid, 0)).identity || '|' ||
           concat_ws(' ', pg_get_ruledef(r.oid), r.ev_enabled)
         FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN' AND $NSP(c.relnamespace))",
      // ACLs, exploded so that MAINTAIN (17+) and grant options show by name.
      R"(SELECT 'acl ' || c.oid::regclass::text || '|' || string_agg(x.e, ', ' ORDER BY x.e)
         FROM pg_class c CROSS JOIN LATERAL (SELECT concat_ws(' ', pg_get_userbyid(a.grantor),
           CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable) AS e
           FROM aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a) x
         WHERE c.relkind IN ('r','p','v','m','S','f') AND $NSP(c.relnamespace) GROUP BY c.oid)",
      R"(SELECT 'schema ' || quote_ident(n.nspname) || '|' || concat_ws(' ', pg_get_userbyid(n.nspowner), coalesce(n.nspacl, acldefault('n', n.nspowner))::text)
         FROM pg_namespace n WHERE $NSP(n.oid))",
      R"(SELECT 'sequence ' || c.oid::regclass::text || '|' || concat_ws(' ', format_type(s.seqtypid, NULL), s.seqstart,
           s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, sq.last_value)
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
         JOIN pg_sequences sq ON sq.schemaname = (SELECT nspname FROM pg_namespace WHERE oid = c.relnamespace) AND sq.sequencename = c.relname
         WHERE $NSP(c.relnamespace))",
      R"(SELECT 'type ' || t.oid::regtype::text || '|' || concat_ws(' ', t.typtype, pg_get_userbyid(t.typowner), t.typnotnull,
           format_type(t.typbasetype, t.typtypmod), t.typdefault, coalesce(t.typacl, acldefault('T', t.typowner))::text,
           (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
         FROM pg_type t WHERE t.typtype IN ('e','d','r','c') AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
           AND $NSP(t.typnamespace))",
      // Casts created after initdb (none of an extension's, nor a range type's own to its
      // multirange): they live in no schema.
      R"(SELECT 'cast ' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || '|' ||
           concat_ws(' ', c.castfunc::regprocedure::text, c.castcontext, c.castmethod, obj_description(c.oid, 'pg_cast'))
         FROM pg_cast c WHERE c.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_depend d
           WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'i')))",
      // Comments on anything in the schemas (constraints, columns, ...).
      R"(SELECT 'comment ' || o.type || ' ' || o.identity || '|' || d.description
         FROM pg_description d CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
         WHERE o.schema IS NOT NULL AND $NSP((SELECT oid FROM pg_namespace WHERE nspname = o.schema)))",
      R"(SELECT 'default acl ' || pg_get_userbyid(d.defaclrole) || ' ' || coalesce(quote_ident(n.nspname), '-') || ' ' ||
           d.defaclobjtype::text || '|' || d.defaclacl::text
         FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
         WHERE d.defaclnamespace = 0 OR $NSP(d.defaclnamespace))",
      R"(SELECT 'publication ' || quote_ident(p.pubname) || '|' || concat_ws(' ', p.puballtables, p.pubinsert, p.pubupdate,
           p.pubdelete, p.pubtruncate, (SELECT string_agg(t, ', ' ORDER BY t) FROM (SELECT quote_ident(schemaname) || '.' ||
           quote_ident(tablename) AS t FROM pg_publication_tables pt WHERE pt.pubname = p.pubname) x))
         FROM pg_publication p)",
      // Cluster-wide: roles (not the reserved pg_ ones) and their memberships with options.
      R"(SELECT 'role ' || quote_ident(r.rolname) || '|' || concat_ws(' ', r.rolsuper, r.rolinherit, r.rolcreaterole,
           r.rolcreatedb, r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit, r.rolvaliduntil)
         FROM pg_roles r WHERE r.rolname !~ '^pg_')",
      "SELECT 'membership ' || quote_ident(ur.rolname) || ' to ' || quote_ident(mr.rolname) || ' by ' || "
      "coalesce(quote_ident(gr.rolname), '-') || '|' || " + member_opts + R"(
         FROM pg_auth_members m JOIN pg_roles ur ON ur.oid = m.roleid JOIN pg_roles mr ON mr.oid = m.member
         LEFT JOIN pg_roles gr ON gr.oid = m.grantor
         -- roles.sql leaves out grants to the platform's reserved roles (engine/schema/role_filter)
         WHERE mr.rolname !~ '^(pg_|supabase_|cli_login_)' AND mr.rolname NOT IN ('anon', 'authenticated',
           'authenticator', 'dashboard_user', 'pgbouncer', 'postgres', 'service_role', 'pgsodium_keyholder',
           'pgsodium_keyiduser', 'pgsodium_keymaker', 'pgtle_admin'))",
  };
}

}  // namespace

std::map<std::string, std::string> catalog_census(const sandbox::PgCluster& c, const std::string& db,
                                                  const std::string& schema_regex) {
  std::string sql;
  for (std::string q : census_queries(c.server_major())) {
    // $NSP(expr) -> the schema filter applied to expr.
    for (size_t p; (p = q.find("$NSP(")) != std::string::npos;) {
      size_t depth = 0, end = p + 5;
      for (; end < q.size(); ++end) {
        if (q[end] == '(') ++depth;
        else if (q[end] == ')' && depth-- == 0) break;
      }
      std::string arg = q.substr(p + 5, end - p - 5);
      std::string filter = "(SELECT nspname FROM pg_namespace WHERE oid = (" + arg + ")) ~ " + pg::quote_literal(schema_regex);
      q.replace(p, end - p + 1, filter);
    }
    sql += (sql.empty() ? "" : "\nUNION ALL\n") + ("SELECT * FROM (" + q + ") q");
  }
  // Newlines inside definitions would split the psql output: encode them.
  std::string out = c.psql("SELECT replace(replace(x, E'\\\\', E'\\\\\\\\'), E'\\n', E'\\\\n') FROM (" + sql + ") s(x) ORDER BY 1", db);
  std::map<std::string, std::string> m = lines_to_map(out);
  return m;
}

std::string census_text(const sandbox::PgCluster& c, const std::string& db, const std::string& schema_regex) {
  std::string out;
  for (const auto& [k, v] : catalog_census(c, db, schema_regex))
    if (k.rfind("populated ", 0) != 0) out += k + " = " + v + "\n";
  return out;
}

bool pg_dump_can_read(const sandbox::PgCluster& c) { return c.server_major() <= 15; }

}  // namespace crm::testsupport
