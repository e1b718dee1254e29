#include "tests/support/db_compare.hpp"

#include <sstream>

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
