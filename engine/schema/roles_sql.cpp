#include "engine/schema/roles_sql.hpp"

#include <string>
#include <vector>

#include "engine/catalog/read_scope.hpp"
#include "engine/schema/role_filter.hpp"
#include "pgwire/pg_version.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema {
namespace {

using pg::quote_ident;
using pg::quote_literal;

// One statement of roles.sql; `active` false means it is written commented out.
struct Statement {
  std::string sql;
  bool active = true;
};

constexpr const char* kRolesQuery = R"SQL(
SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
       r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       CASE WHEN r.rolvaliduntil IS NULL THEN NULL
            WHEN r.rolvaliduntil = 'infinity' THEN 'infinity'
            ELSE pg_catalog.rtrim(pg_catalog.rtrim(pg_catalog.to_char(r.rolvaliduntil AT TIME ZONE 'UTC',
                                                                      'YYYY-MM-DD HH24:MI:SS.US'), '0'), '.') || '+00'
       END AS valid_until,
       r.rolname = CURRENT_USER AS is_current
FROM pg_catalog.pg_roles r
WHERE r.rolname !~ '^pg_'
ORDER BY r.rolname COLLATE "C"
)SQL";

// Per-role settings (setdatabase = 0) then per-role-per-database settings of this database.
constexpr const char* kSettingsQuery = R"SQL(
SELECT r.rolname, d.datname, s.setdatabase = 0 AS global,
       pg_catalog.split_part(c.cfg, '=', 1) AS name,
       pg_catalog.substr(c.cfg, pg_catalog.strpos(c.cfg, '=') + 1) AS value
FROM pg_catalog.pg_db_role_setting s
JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) WITH ORDINALITY AS c(cfg, ord)
WHERE r.rolname !~ '^pg_'
  AND (s.setdatabase = 0 OR d.datname = pg_catalog.current_database())
ORDER BY s.setdatabase <> 0, r.rolname COLLATE "C", c.ord
)SQL";

std::string memberships_query(pg::PgVersion v) {
  std::string opts = v.at_least(16)
                         ? "m.inherit_option, m.set_option, mr.rolinherit AS member_inherits"
                         : "NULL::bool AS inherit_option, NULL::bool AS set_option, NULL::bool AS member_inherits";
  return "SELECT ur.rolname AS role, mr.rolname AS member, gr.rolname AS grantor, m.admin_option, " + opts +
         R"SQL(
FROM pg_catalog.pg_auth_members m
JOIN pg_catalog.pg_roles ur ON ur.oid = m.roleid
JOIN pg_catalog.pg_roles mr ON mr.oid = m.member
LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = m.grantor
WHERE mr.rolname !~ '^pg_'
ORDER BY ur.rolname COLLATE "C", mr.rolname COLLATE "C", gr.rolname COLLATE "C"
)SQL";
}

void emit(std::vector<Statement>& out, std::string sql, bool active) {
  // Consecutive duplicate statements are collapsed, as the old filter collapsed lines.
  if (!out.empty() && out.back().sql == sql && out.back().active == active) return;
  out.push_back({std::move(sql), active});
}

}  // namespace

void write_roles_sql(pg::Connection& conn, Sink& sink, const RolesOptions& opts) {
  catalog::CatalogReadScope scope(conn);
  std::vector<Statement> st;

  auto roles = conn.exec(kRolesQuery);
  for (int i = 0; i < roles.rows(); ++i) {
    std::string name(roles.get(i, "rolname"));
    std::string q = quote_ident(name);
    bool reserved = is_reserved_role(name);
    if (!roles.get_bool(i, "is_current")) emit(st, "CREATE ROLE " + q + ";", !reserved);
    std::string a = "ALTER ROLE " + q + " WITH";
    // NOSUPERUSER and NOREPLICATION are left out: setting them needs superuser.
    if (roles.get_bool(i, "rolsuper")) a += " SUPERUSER";
    a += roles.get_bool(i, "rolinherit") ? " INHERIT" : " NOINHERIT";
    a += roles.get_bool(i, "rolcreaterole") ? " CREATEROLE" : " NOCREATEROLE";
    a += roles.get_bool(i, "rolcreatedb") ? " CREATEDB" : " NOCREATEDB";
    a += roles.get_bool(i, "rolcanlogin") ? " LOGIN" : " NOLOGIN";
    if (roles.get_bool(i, "rolreplication")) a += " REPLICATION";
    a += roles.get_bool(i, "rolbypassrls") ? " BYPASSRLS" : " NOBYPASSRLS";
    auto limit = roles.get_int(i, "rolconnlimit");
    if (limit != -1) a += " CONNECTION LIMIT " + std::to_string(limit);
    if (auto vu = roles.get_opt(i, "valid_until")) a += " VALID UNTIL " + quote_literal(*vu);
    emit(st, a + ";", !reserved);
  }

  auto settings = conn.exec(kSettingsQuery);
  for (int i = 0; i < settings.rows(); ++i) {
    if (!settings.get_bool(i, "global") && !opts.per_database_settings) continue;
    std::string role(settings.get(i, "rolname"));
    std::string name(settings.get(i, "name"));
    std::string value(settings.get(i, "value"));
    std::string s = "ALTER ROLE " + quote_ident(role);
    bool global = settings.get_bool(i, "global");
    if (!global) s += " IN DATABASE " + quote_ident(settings.get(i, "datname"));
    s += " SET " + quote_ident(name) + " TO " + format_setting_value(name, value) + ";";
    bool active = !is_reserved_role(role) || (global && is_allowed_reserved_config(name));
    emit(st, s, active);
  }

  const pg::PgVersion version = pg::PgVersion::of(conn);
  version.require_supported("role dump");
  bool pg16 = version.at_least(16);
  auto members = conn.exec(memberships_query(version));
  for (int i = 0; i < members.rows(); ++i) {
    std::string member(members.get(i, "member"));
    std::string s = "GRANT " + quote_ident(members.get(i, "role")) + " TO " + quote_ident(member);
    std::vector<std::string> with;
    if (pg16) {
      if (members.get_bool(i, "admin_option")) with.push_back("ADMIN TRUE");
      if (members.get_bool(i, "inherit_option") != members.get_bool(i, "member_inherits"))
        with.push_back(members.get_bool(i, "inherit_option") ? "INHERIT TRUE" : "INHERIT FALSE");
      if (!members.get_bool(i, "set_option")) with.push_back("SET FALSE");
    } else if (members.get_bool(i, "admin_option")) {
      with.push_back("ADMIN OPTION");
    }
    for (size_t w = 0; w < with.size(); ++w) s += (w == 0 ? " WITH " : ", ") + with[w];
    if (auto g = members.get_opt(i, "grantor")) s += " GRANTED BY " + quote_ident(*g);
    emit(st, s + ";", !is_reserved_role(member));
  }

  std::string text =
      "--\n-- PostgreSQL database cluster roles (crmbackup-native)\n--\n\n"
      "SET default_transaction_read_only = off;\n\n"
      "SET client_encoding = 'UTF8';\n"
      "SET standard_conforming_strings = on;\n\n"
      "--\n-- Roles\n--\n\n";
  for (const auto& s : st) {
    text += s.active ? s.sql : comment_out(s.sql);
    text += "\n";
  }
  text += "\nRESET ALL;\n";
  sink.write(text);
}

}  // namespace crm::engine::schema
