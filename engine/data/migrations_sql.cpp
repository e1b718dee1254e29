#include "engine/data/migrations_sql.hpp"

#include <map>
#include <optional>
#include <stdexcept>

#include "engine/data/data_format.hpp"
#include "engine/io/zstd_reader.hpp"
#include "pgwire/quote.hpp"
#include "pgwire/script/byte_source.hpp"
#include "pgwire/script/sql_splitter.hpp"

namespace crm::engine {
namespace {

struct ColumnDef {
  std::string name, type, default_expr, generated_expr;
  bool not_null = false;
};

// Reads one double-quoted identifier at p (the file quotes every name); empty when none.
std::string quoted_ident(std::string_view s, size_t& p) {
  while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\t')) ++p;
  if (p >= s.size() || s[p] != '"') return {};
  std::string out;
  for (++p; p < s.size(); ++p) {
    if (s[p] != '"') {
      out += s[p];
    } else if (p + 1 < s.size() && s[p + 1] == '"') {
      out += '"';
      ++p;
    } else {
      ++p;
      return out;
    }
  }
  return {};
}

// `COPY "s"."t" ("a", "b") FROM stdin;` as written by copy_block_header.
bool parse_copy(std::string_view stmt, MigrationsTable& t) {
  size_t p = stmt.find("COPY ");
  if (p == std::string_view::npos) return false;
  p += 5;
  t.schema = quoted_ident(stmt, p);
  if (p >= stmt.size() || stmt[p] != '.') return false;
  ++p;
  t.name = quoted_ident(stmt, p);
  while (p < stmt.size() && stmt[p] == ' ') ++p;
  if (p < stmt.size() && stmt[p] == '(') {
    ++p;
    for (;;) {
      std::string c = quoted_ident(stmt, p);
      if (c.empty()) return false;
      t.columns.push_back(std::move(c));
      if (p < stmt.size() && stmt[p] == ',') {
        ++p;
        continue;
      }
      break;
    }
  }
  return !t.schema.empty() && !t.name.empty();
}

}  // namespace

std::vector<MigrationsTable> write_migrations_sql(pg::Connection& conn, Sink& out) {
  out.write("--\n-- supabase_migrations: the Supabase CLI's migration history, every table, row and column\n"
            "-- (crmbackup-native). Replays on its own: creates what is missing, replaces the rows.\n--\n\n"
            "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
            "SELECT pg_catalog.set_config('search_path', '', false);\n\n");
  // format_type and pg_get_expr qualify names against the search path: empty, as in the file.
  std::string previous(conn.exec("SELECT pg_catalog.current_setting('search_path') AS p").get(0, "p"));
  conn.exec("SELECT pg_catalog.set_config('search_path', '', false)");
  auto cols = conn.exec_params(
      "SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, "
      "pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS def, a.attgenerated::text AS gen "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
      "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
      "WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname COLLATE \"C\", a.attnum",
      {kMigrationsSchema});
  auto keys = conn.exec_params(
      "SELECT c.relname, k.conname, pg_catalog.pg_get_constraintdef(k.oid) AS def "
      "FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind = 'r' AND k.contype IN ('p', 'u') ORDER BY c.relname COLLATE \"C\", k.conname",
      {kMigrationsSchema});
  conn.exec_params("SELECT pg_catalog.set_config('search_path', $1, false)", {previous});

  std::map<std::string, std::vector<ColumnDef>> tables;
  for (int i = 0; i < cols.rows(); ++i) {
    ColumnDef c{std::string(cols.get(i, "attname")), std::string(cols.get(i, "type")), "", "", cols.get_bool(i, "attnotnull")};
    std::string def = cols.get_opt(i, "def").value_or("");
    (cols.get(i, "gen") == "s" ? c.generated_expr : c.default_expr) = def;
    tables[std::string(cols.get(i, "relname"))].push_back(std::move(c));
  }
  std::map<std::string, std::vector<std::string>> constraints;
  for (int i = 0; i < keys.rows(); ++i)
    constraints[std::string(keys.get(i, "relname"))].push_back("CONSTRAINT " + pg::quote_ident(keys.get(i, "conname")) +
                                                              " " + std::string(keys.get(i, "def")));

  std::vector<MigrationsTable> result;
  if (tables.empty()) {
    out.write("-- The source has no supabase_migrations tables.\n");
    return result;
  }
  out.write("CREATE SCHEMA IF NOT EXISTS " + pg::quote_ident(kMigrationsSchema) + ";\n\n");
  for (const auto& [name, columns] : tables) {
    std::string q = pg::quote_qualified(kMigrationsSchema, name);
    std::string create = "CREATE TABLE IF NOT EXISTS " + q + " (";
    std::string add;
    MigrationsTable t{kMigrationsSchema, name, {}, {}};
    for (size_t i = 0; i < columns.size(); ++i) {
      const auto& c = columns[i];
      std::string def = pg::quote_ident(c.name) + " " + c.type;
      if (!c.generated_expr.empty()) def += " GENERATED ALWAYS AS (" + c.generated_expr + ") STORED";
      if (!c.default_expr.empty()) def += " DEFAULT " + c.default_expr;
      if (c.not_null) def += " NOT NULL";
      create += (i ? ",\n    " : "\n    ") + def;
      add += "ALTER TABLE " + q + " ADD COLUMN IF NOT EXISTS " + def + ";\n";
      if (c.generated_expr.empty()) t.columns.push_back(c.name);
    }
    for (const auto& k : constraints[name]) create += ",\n    " + k;
    out.write(create + "\n);\n" + add + "DELETE FROM " + q + ";\n\n");
    out.write(copy_block_header(kMigrationsSchema, name, "", t.columns));
    RowSetHasher h;
    conn.copy_out(copy_out_sql(kMigrationsSchema, name, t.columns, ""), [&](std::string_view chunk) {
      h.update(chunk);
      out.write(chunk);
    });
    out.write(copy_block_footer());
    t.content = h.digest();
    result.push_back(std::move(t));
  }
  out.write("RESET search_path;\n");
  return result;
}

std::vector<MigrationsTable> read_migrations_sql(const std::filesystem::path& file) {
  std::vector<MigrationsTable> out;
  auto src = open_script_source(file.string());
  pg::SqlSplitter split(*src, file.filename().string());
  pg::ScriptEvent ev;
  std::optional<RowSetHasher> current;
  while (split.next(ev)) {
    using K = pg::ScriptEvent::Kind;
    if (ev.kind == K::kStatement && ev.copy_from_stdin) {
      MigrationsTable t;
      if (!parse_copy(ev.text, t)) throw std::runtime_error(file.string() + ":" + std::to_string(ev.line) +
                                                            ": not a COPY this tool writes: " + std::string(ev.text));
      out.push_back(std::move(t));
      current.emplace();
    } else if (ev.kind == K::kCopyData && current) {
      current->update(ev.text);
    } else if (ev.kind == K::kCopyEnd && current) {
      out.back().content = current->digest();
      current.reset();
    }
  }
  return out;
}

}  // namespace crm::engine
