#include "engine/schema/roles_sql.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/catalog/read_scope.hpp"
#include "engine/schema/kinds/sql_files.hpp"
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

// The queries are files in engine/schema/kinds/ (roles.sql, role_memberships.pg16.sql, ...).
std::string roles_query(std::string_view stem, pg::PgVersion v) {
  auto text = kinds::query_for(stem, v);
  if (!text) throw std::logic_error("no variant of " + std::string(stem) + ".sql for PostgreSQL " + v.text());
  return std::string(*text);
}

void emit(std::vector<Statement>& out, std::string sql, bool active) {
  // Consecutive duplicate statements are collapsed, as the old filter collapsed lines.
  if (!out.empty() && out.back().sql == sql && out.back().active == active) return;
  out.push_back({std::move(sql), active});
}

}  // namespace

void write_roles_sql(pg::Connection& conn, Sink& sink, const RolesOptions& opts) {
  catalog::CatalogReadScope scope(conn);
  const pg::PgVersion version = pg::PgVersion::of(conn);
  version.require_supported("role dump");
  std::vector<Statement> st;

  auto roles = conn.exec(roles_query("roles", version));
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

  auto settings = conn.exec(roles_query("role_settings", version));
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

  bool pg16 = version.at_least(16);
  auto members = conn.exec(roles_query("role_memberships", version));
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
