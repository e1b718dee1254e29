#include "engine/restore/db_restore.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <set>

#include "engine/catalog/catalog.hpp"
#include "engine/data/matviews.hpp"
#include "engine/io/zstd_reader.hpp"
#include "engine/restore/platform_check.hpp"
#include "engine/restore/lock_limit.hpp"
#include "engine/schema/kinds/registry.hpp"
#include "engine/schema/kinds/sql_files.hpp"
#include "engine/schema/schema_sql.hpp"
#include "pgwire/quote.hpp"
#include "pgwire/script/byte_source.hpp"
#include "pgwire/script/script_executor.hpp"
#include "pgwire/script/sql_splitter.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

// The tables the old restore cleared when the set carries no manifest to say which.
const std::vector<std::pair<std::string, std::string>> kLegacyClearedTables = {
    {"auth", "users"},        {"auth", "identities"},       {"auth", "sessions"},      {"auth", "refresh_tokens"},
    {"auth", "mfa_factors"},  {"auth", "mfa_challenges"},   {"auth", "mfa_amr_claims"}, {"auth", "flow_state"},
    {"auth", "audit_log_entries"}, {"auth", "instances"},   {"storage", "buckets"},    {"storage", "objects"}};

size_t skip_space(std::string_view s, size_t p) {
  while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')) ++p;
  return p;
}

// Reads one identifier (quoted or not) at p; empty when there is none.
std::string read_ident(std::string_view s, size_t& p) {
  p = skip_space(s, p);
  std::string out;
  if (p < s.size() && s[p] == '"') {
    for (++p; p < s.size(); ++p) {
      if (s[p] == '"') {
        if (p + 1 < s.size() && s[p + 1] == '"') {
          out.push_back('"');
          ++p;
        } else {
          ++p;
          return out;
        }
      } else {
        out.push_back(s[p]);
      }
    }
    return {};
  }
  while (p < s.size() && (std::isalnum(static_cast<unsigned char>(s[p])) || s[p] == '_' || s[p] == '$' ||
                          static_cast<unsigned char>(s[p]) >= 0x80))
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s[p++]))));
  return out;
}

bool starts_with_ci(std::string_view s, size_t p, std::string_view word) {
  if (s.size() < p + word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[p + i])) != word[i]) return false;
  return true;
}

// "COPY s.t (...) FROM stdin;" -> {s, t}
std::optional<std::pair<std::string, std::string>> copy_target(std::string_view stmt) {
  size_t p = skip_space(stmt, 0);
  if (!starts_with_ci(stmt, p, "COPY")) return std::nullopt;
  p += 4;
  std::string a = read_ident(stmt, p);
  if (a.empty()) return std::nullopt;
  if (p < stmt.size() && stmt[p] == '.') {
    ++p;
    std::string b = read_ident(stmt, p);
    if (b.empty()) return std::nullopt;
    return std::pair{a, b};
  }
  return std::pair{std::string("public"), a};
}

// "CREATE SCHEMA [IF NOT EXISTS] name ..." -> name
std::optional<std::string> created_schema(std::string_view stmt) {
  size_t p = skip_space(stmt, 0);
  if (!starts_with_ci(stmt, p, "CREATE")) return std::nullopt;
  p = skip_space(stmt, p + 6);
  if (!starts_with_ci(stmt, p, "SCHEMA")) return std::nullopt;
  p = skip_space(stmt, p + 6);
  if (starts_with_ci(stmt, p, "IF NOT EXISTS")) p += 13;
  std::string name = read_ident(stmt, p);
  if (name.empty()) return std::nullopt;
  return name;
}

std::string first_line(std::string_view s) {
  auto nl = s.find('\n');
  std::string out(s.substr(0, nl == std::string_view::npos ? s.size() : nl));
  if (out.size() > 160) out = out.substr(0, 160) + "...";
  return out;
}

template <typename Fn>
void for_each_statement(const fs::path& file, Fn&& fn) {
  auto src = open_script_source(file.string());
  pg::SqlSplitter split(*src, file.string());
  pg::ScriptEvent ev;
  while (split.next(ev))
    if (ev.kind == pg::ScriptEvent::Kind::kStatement) fn(ev);
}

// Line number of the schema writer's post-data marker, or 0. The marker is a comment line
// between statements; the same text inside a statement (a function body, a comment literal)
// is not it, so candidates that a statement spans are dropped.
std::uint64_t marker_line(const fs::path& schema) {
  std::set<std::uint64_t> candidates;
  {
    std::ifstream f(schema);
    std::string line;
    for (std::uint64_t n = 1; std::getline(f, line); ++n)
      if (line == schema::kPostDataMarker) candidates.insert(n);
  }
  if (candidates.empty()) return 0;
  for_each_statement(schema, [&](const pg::ScriptEvent& ev) {
    std::uint64_t end = ev.line + static_cast<std::uint64_t>(std::count(ev.text.begin(), ev.text.end(), '\n'));
    candidates.erase(candidates.lower_bound(ev.line), candidates.upper_bound(end));
  });
  return candidates.empty() ? 0 : *candidates.begin();
}

std::string text_array_literal(const std::vector<std::string>& v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ",";
    out += "\"";
    for (char c : v[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

// Drops every object of an application schema but keeps the schema itself, so its owner,
// ACL and default privileges survive: the platform's own entries (ALTER DEFAULT PRIVILEGES
// FOR ROLE supabase_admin ...) are never in schema.sql, so dropping the schema would lose
// them. Returns false when the schema does not exist (schema.sql creates it).
bool clear_schema_objects(pg::Connection& conn, const std::string& schema) {
  auto exists = conn.exec_params("SELECT count(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = $1", {schema});
  if (exists.get_int(0, "n") == 0) return false;
  // Every kind lists the objects of the schema that stand alone (not an extension's, not part
  // of another object) and writes their DROP, in the registry's order (extensions first).
  struct Drop {
    std::string_view catalog;
    std::string oid;
    std::string sql;
  };
  std::vector<Drop> drops;
  const pg::PgVersion version = pg::PgVersion::of(conn);
  for (const auto& kind : schema::kinds::registry()) {
    if (!kind.drop) continue;
    auto query = schema::kinds::query_for(kind.drop->stem, version);
    if (!query) continue;
    auto rows = conn.exec_params(*query, {schema});
    for (int r = 0; r < rows.rows(); ++r)
      drops.push_back({kind.drop->catalog, std::string(rows.get(r, "oid")), kind.drop->statement(rows, r, schema)});
  }
  for (const auto& d : drops) {
    // An earlier CASCADE may already have taken it.
    if (conn.exec_params("SELECT EXISTS (SELECT 1 FROM " + std::string(d.catalog) + " WHERE oid = $1::oid) AS e", {d.oid})
            .get_bool(0, "e"))
      conn.exec(d.sql);
  }
  // The restoring role's default privileges would grant on every object schema.sql creates,
  // before its exact grants run: reset them (schema.sql sets them again at the end, as
  // pg_dump orders them). Other roles' entries (the platform's) do not touch our objects.
  auto defacl = conn.exec_params(
      "SELECT DISTINCT d.defaclobjtype::text AS t, coalesce(r.rolname, '') AS grantee "
      "FROM pg_catalog.pg_default_acl d JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace "
      "CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee "
      "WHERE n.nspname = $1 AND d.defaclrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) "
      "ORDER BY 1, 2", {schema});
  for (int r = 0; r < defacl.rows(); ++r) {
    std::string_view t = defacl.get(r, "t");
    const char* what = t == "r" ? "TABLES" : t == "S" ? "SEQUENCES" : t == "f" ? "FUNCTIONS" : t == "T" ? "TYPES" : nullptr;
    if (!what) continue;
    std::string grantee = defacl.get(r, "grantee").empty() ? "PUBLIC" : pg::quote_ident(defacl.get(r, "grantee"));
    conn.exec("ALTER DEFAULT PRIVILEGES IN SCHEMA " + pg::quote_ident(schema) + " REVOKE ALL ON " + what +
              " FROM " + grantee);
  }
  return true;
}

struct Deferred {
  std::string text;
  std::uint64_t line;
};

// Settings for the restore's own transaction. Applied again before the data and before the
// post-data part: the scripts end with RESET ALL (as pg_dump's do), which drops them.
// lz4: pglz compression of TOASTed values was the largest single cost of the server's COPY in
// a perf profile of a CRM restore; lz4 is several times cheaper and reads back transparently.
// Columns with their own COMPRESSION setting in schema.sql keep it.
void tune_restore_session(pg::Connection& conn, bool lz4) {
  conn.exec("SET LOCAL maintenance_work_mem = '512MB'");
  if (lz4) conn.exec("SET LOCAL default_toast_compression = 'lz4'");
}

bool server_has_lz4(pg::Connection& conn) {
  return conn.exec("SELECT count(*) AS n FROM pg_catalog.pg_settings "
                   "WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)")
             .get_int(0, "n") > 0;
}

}  // namespace

bool is_post_data_statement(std::string_view s) {
  static const std::regex kPost(
      R"(^\s*(CREATE\s+(UNIQUE\s+)?INDEX|CREATE\s+(OR\s+REPLACE\s+)?(CONSTRAINT\s+)?TRIGGER|CREATE\s+POLICY|CREATE\s+(OR\s+REPLACE\s+)?RULE|CREATE\s+PUBLICATION|ALTER\s+PUBLICATION|CREATE\s+EVENT\s+TRIGGER|ALTER\s+TABLE\s+(ONLY\s+)?\S+\s+(ADD\s+CONSTRAINT\s+("[^"]*"|\S+)\s+(PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY|EXCLUDE)|ENABLE\s+ROW\s+LEVEL|FORCE\s+ROW\s+LEVEL|CLUSTER\s+ON|REPLICA\s+IDENTITY)|ALTER\s+INDEX\s+\S+\s+ATTACH\s+PARTITION))",
      std::regex::icase | std::regex::optimize);
  return std::regex_search(s.begin(), s.end(), kPost, std::regex_constants::match_continuous);
}

DbRestoreInput db_restore_input(const SetInfo& set) {
  DbRestoreInput in;
  in.roles = set.part("roles.sql");
  in.schema = set.part("schema.sql");
  in.data = set.part(set.data_part());
  in.migrations = set.part("migrations.sql");
  in.applied_migrations = set.part("applied-migrations.txt");
  in.manifest = set.manifest ? &*set.manifest : nullptr;
  return in;
}

DbRestoreStats restore_database(pg::Connection& conn, const DbRestoreInput& in) {
  auto t0 = std::chrono::steady_clock::now();
  auto log = [&](const std::string& l) {
    if (in.log) in.log(l);
  };
  DbRestoreStats st;
  // The server's chatter (DROP ... IF EXISTS "skipping", "drop cascades to") stays out of what
  // the user reads unless asked for.
  std::uint64_t notices = 0, warnings = 0;
  pg::ScopedNoticeHandler notice_scope(conn, [&](const pg::Notice& n) {
    (n.severity == "NOTICE" || n.severity == "INFO" ? notices : warnings)++;
    if (in.verbose) log(n.severity + ": " + n.message);
  });

  // What this set owns: the schemas its schema file creates (plus public), and the tables
  // whose rows it holds in the schemas that stay.
  std::set<std::string> drop = {"public"};
  // Publications belong to the database, not a schema: the ones schema.sql creates are
  // dropped first so it can create them again.
  std::set<std::string> publications;
  static const std::regex kCreatePublication(R"re(^\s*CREATE\s+PUBLICATION\s+"((?:[^"]|"")+)")re", std::regex::icase);
  std::set<std::string> roles_referenced, roles_created;
  for_each_statement(in.roles, [&](const pg::ScriptEvent& ev) {
    collect_role_references(ev.text, roles_referenced, roles_created);
  });
  for_each_statement(in.schema, [&](const pg::ScriptEvent& ev) {
    collect_role_references(ev.text, roles_referenced, roles_created);
    if (auto s = created_schema(ev.text); s && !catalog::is_left_out_schema(*s)) drop.insert(*s);
    std::match_results<std::string_view::const_iterator> m;
    if (std::regex_search(ev.text.begin(), ev.text.end(), m, kCreatePublication))
      publications.insert(std::regex_replace(m[1].str(), std::regex("\"\""), "\""));
  });
  std::vector<std::pair<std::string, std::string>> clear;
  if (in.manifest) {
    for (const auto& t : in.manifest->tables)
      if (!drop.count(t.schema)) clear.emplace_back(t.schema, t.name);
  } else {
    for_each_statement(in.data, [&](const pg::ScriptEvent& ev) {
      if (!ev.copy_from_stdin) return;
      if (auto t = copy_target(ev.text); t && !drop.count(t->first)) clear.push_back(*t);
    });
  }
  {
    // Before anything runs: a target without the platform fails here, untouched.
    std::set<std::string> roles_needed;
    for (const auto& r : roles_referenced)
      if (!roles_created.count(r)) roles_needed.insert(r);
    auto missing = find_missing_platform(conn, roles_needed, clear);
    if (!missing.empty()) throw TargetLacksPlatformError(std::move(missing));
  }
  if (clear.empty() && !in.manifest) clear = kLegacyClearedTables;  // those present; none required

  const bool lz4 = server_has_lz4(conn);
  pg::Transaction tx(conn);
  tune_restore_session(conn, lz4);
  // "drop cascades to ..." notices: not even sent unless they are to be shown.
  if (!in.verbose) conn.exec("SET LOCAL client_min_messages = warning");
  LockLimit locks(conn, in.lock_timeout);

  log("Clearing the target database...");
  conn.exec("SET LOCAL search_path = pg_catalog");  // regprocedure/regtype text comes out qualified
  for (const auto& s : drop) {
    if (clear_schema_objects(conn, s)) st.dropped_schemas.push_back(s);
  }
  conn.exec("RESET search_path");
  for (const auto& p : publications) conn.exec("DROP PUBLICATION IF EXISTS " + pg::quote_ident(p));
  std::set<std::string> truncated;  // quoted names: COPY FREEZE is allowed on these
  {
    std::string list;
    for (const auto& [s, t] : clear) {
      std::string q = pg::quote_qualified(s, t);
      if (conn.exec_params("SELECT pg_catalog.to_regclass($1) IS NOT NULL AS present", {q}).get_bool(0, "present")) {
        if (!list.empty()) list += ", ";
        list += q;
        truncated.insert(q);
        st.truncated_tables.push_back(s + "." + t);
      }
    }
    if (!list.empty()) conn.exec("TRUNCATE TABLE " + list + " CASCADE");
  }

  log("Restoring roles...");
  {
    auto src = open_script_source(in.roles.string());
    pg::SqlSplitter split(*src, in.roles.string());
    static const std::regex kCreateRole(R"re(^\s*CREATE\s+ROLE\s+"((?:[^"]|"")+)"\s*;)re", std::regex::icase);
    pg::ExecutorOptions eo;
    eo.on_statement = locks.wrap([&](pg::ScriptStatement& s) {
      std::smatch m;
      if (std::regex_search(s.text, m, kCreateRole)) {
        std::string name = std::regex_replace(m[1].str(), std::regex("\"\""), "\"");
        if (conn.exec_params("SELECT count(*) AS n FROM pg_catalog.pg_roles WHERE rolname = $1", {name}).get_int(0, "n"))
          return pg::StatementAction::kSkip;  // the role exists: its ALTER ROLE follows
      }
      return pg::StatementAction::kRun;
    });
    auto es = pg::execute_script(conn, split, eo);
    st.statements += es.statements;
  }

  log("Restoring the schema...");
  std::vector<Deferred> deferred;
  {
    std::uint64_t marker = marker_line(in.schema);
    bool post = false;
    auto src = open_script_source(in.schema.string());
    pg::SqlSplitter split(*src, in.schema.string());
    pg::ExecutorOptions eo;
    eo.on_statement = locks.wrap([&](pg::ScriptStatement& s) {
      if (!post) post = marker ? s.line > marker : is_post_data_statement(s.text);
      if (post) {
        deferred.push_back({s.text, s.line});
        return pg::StatementAction::kSkip;
      }
      return pg::StatementAction::kRun;
    });
    auto es = pg::execute_script(conn, split, eo);
    st.statements += es.statements;
  }
  st.deferred_statements = deferred.size();

  log("Restoring the data...");
  tune_restore_session(conn, lz4);
  conn.exec("SET session_replication_role = replica");
  // REFRESH MATERIALIZED VIEW at the end of data.sql: after the post-data part here, so a
  // view created there (one that needs a primary key) exists and its indexes are built.
  std::vector<Deferred> refreshes;
  {
    auto src = open_script_source(in.data.string());
    pg::SqlSplitter split(*src, in.data.string());
    pg::ExecutorOptions eo;
    eo.on_statement = locks.wrap([&](pg::ScriptStatement& s) {
      if (is_refresh_matview_statement(s.text)) {
        refreshes.push_back({s.text, s.line});
        return pg::StatementAction::kSkip;
      }
      if (!s.copy_from_stdin) return pg::StatementAction::kRun;
      auto t = copy_target(s.text);
      if (!t) return pg::StatementAction::kRun;
      std::string q = pg::quote_qualified(t->first, t->second);
      bool fresh = drop.count(t->first) || truncated.count(q);
      static const std::regex kPlainEnd(R"(FROM\s+stdin\s*;\s*$)", std::regex::icase);
      if (fresh && std::regex_search(s.text, kPlainEnd)) {
        auto kind = conn.exec_params(
            "SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)", {q});
        // FREEZE writes the rows already frozen (no later VACUUM rewrite); plain tables only.
        if (kind.rows() == 1 && kind.get(0, 0) == "r")
          s.text = std::regex_replace(s.text, kPlainEnd, "FROM stdin WITH (FREEZE true);");
      }
      return pg::StatementAction::kRun;
    });
    eo.on_progress = [&](std::uint64_t, std::uint64_t bytes) {
      if (in.progress) in.progress(bytes);
    };
    auto es = pg::execute_script(conn, split, eo);
    st.statements += es.statements;
    st.copy_rows = es.copy_rows;
    st.copy_bytes = es.copy_bytes;
  }

  log("Building indexes, constraints, triggers, policies and grants (" + std::to_string(deferred.size()) +
      " statements)...");
  tune_restore_session(conn, lz4);
  conn.exec("SET session_replication_role = replica");
  for (const auto& d : deferred) {
    try {
      locks.restore();
      conn.exec(d.text);
      locks.note(d.text);
    } catch (const pg::PgError& e) {
      throw pg::ScriptExecError(e, in.schema.string(), d.line, first_line(d.text));
    }
  }
  locks.restore();
  if (!refreshes.empty()) log("Refreshing " + std::to_string(refreshes.size()) + " materialized views...");
  for (const auto& r : refreshes) {
    try {
      conn.exec(r.text);
    } catch (const pg::PgError& e) {
      throw pg::ScriptExecError(e, in.data.string(), r.line, first_line(r.text));
    }
  }
  st.refreshed_matviews = refreshes.size();

  if (!in.migrations.empty() && fs::exists(in.migrations)) {
    log("Restoring the migration history (every supabase_migrations table)...");
    auto src = open_script_source(in.migrations.string());
    pg::SqlSplitter split(*src, in.migrations.string());
    pg::ExecutorOptions eo;
    eo.on_statement = locks.wrap([](pg::ScriptStatement&) { return pg::StatementAction::kRun; });
    auto es = pg::execute_script(conn, split, eo);
    st.statements += es.statements;
  } else if (!in.applied_migrations.empty() && fs::exists(in.applied_migrations) &&
      conn.exec("SELECT pg_catalog.to_regclass('supabase_migrations.schema_migrations') IS NOT NULL AS present")
          .get_bool(0, "present")) {
    std::vector<std::string> versions;
    std::ifstream f(in.applied_migrations);
    for (std::string l; std::getline(f, l);)
      if (!l.empty()) versions.push_back(l);
    log("Restoring the migration history (" + std::to_string(versions.size()) + " versions)...");
    std::string arr = text_array_literal(versions);
    conn.exec_params("DELETE FROM \"supabase_migrations\".\"schema_migrations\" WHERE NOT (version = ANY($1::text[]))", {arr});
    conn.exec_params("INSERT INTO \"supabase_migrations\".\"schema_migrations\" (version) "
                     "SELECT v FROM unnest($1::text[]) AS v ON CONFLICT (version) DO NOTHING", {arr});
  }

  if (!in.rewrite_from.empty() && !in.rewrite_to.empty()) {
    log("Rewriting attachment URLs " + in.rewrite_from + " -> " + in.rewrite_to + "...");
    std::string from = "\"src\": \"" + in.rewrite_from, to = "\"src\": \"" + in.rewrite_to;
    std::vector<std::string> schemas(drop.begin(), drop.end());
    auto cols = conn.exec_params(
        "SELECT n.nspname, c.relname, a.attname, t.typname FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        "WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND t.typname IN ('jsonb', '_jsonb') "
        "AND n.nspname = ANY($1::text[]) ORDER BY 1, 2, 3",
        {text_array_literal(schemas)});
    for (int r = 0; r < cols.rows(); ++r) {
      std::string table = pg::quote_qualified(cols.get(r, 0), cols.get(r, 1));
      std::string col = pg::quote_ident(cols.get(r, 2));
      std::string sql =
          cols.get(r, 3) == "jsonb"
              ? "UPDATE " + table + " SET " + col + " = replace(" + col + "::text, $1, $2)::jsonb WHERE strpos(" +
                    col + "::text, $1) > 0"
              : "UPDATE " + table + " SET " + col + " = (SELECT array_agg(replace(e::text, $1, $2)::jsonb ORDER BY i) "
                "FROM unnest(" + col + ") WITH ORDINALITY AS u(e, i)) WHERE strpos(array_to_string(" + col +
                    ", ' '), $1) > 0";
      st.rewritten_rows += std::stoull("0" + conn.exec_params(sql, {from, to}).command_tuples());
    }
  }
  conn.exec("RESET session_replication_role");
  tx.commit();
  st.server_notices = notices + warnings;
  if (!in.verbose && st.server_notices)
    log("The server sent " + std::to_string(warnings) + " warning(s) and " + std::to_string(notices) +
        " notice(s); --verbose shows them");
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

}  // namespace crm::engine
