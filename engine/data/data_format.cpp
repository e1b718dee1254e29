#include "engine/data/data_format.hpp"

#include "engine/format/dump_settings.hpp"

#include <cctype>
#include <stdexcept>

#include "engine/format/sql_comment.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine {
namespace {

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) {
    out += out.empty() ? "(" : ", ";
    out += pg::quote_ident(c);
  }
  if (!out.empty()) out += ")";
  return out;
}

}  // namespace

std::string data_file_header(std::string_view server_version) {
  std::string h =
      "SET session_replication_role = replica;\n"
      "\n"
      "--\n"
      "-- PostgreSQL database dump\n"
      "--\n"
      "\n";
  h += "-- Dumped from database version " + comment_safe(server_version) + "\n";
  h += "-- Dumped by crmbackup-native " CRM_VERSION "\n";
  h += "\n";
  h += pg_dump_session_settings();
  h += "\n";
  return h;
}

std::string copy_block_header(std::string_view schema, std::string_view table, std::string_view owner,
                              const std::vector<std::string>& columns) {
  std::string h = "--\n-- Data for Name: " + comment_safe(table) + "; Type: TABLE DATA; Schema: " +
                  comment_safe(schema) + "; Owner: " + comment_safe(owner) + "\n--\n\n";
  h += "COPY " + pg::quote_qualified(schema, table) + " ";
  h += column_list(columns);
  h += " FROM stdin;\n";
  return h;
}

std::string_view copy_block_footer() { return "\\.\n\n\n"; }

std::string sequence_setval(std::string_view schema, std::string_view name, std::string_view owner,
                            std::string_view last_value, bool is_called) {
  std::string s = "--\n-- Name: " + comment_safe(name) + "; Type: SEQUENCE SET; Schema: " +
                  comment_safe(schema) + "; Owner: " + comment_safe(owner) + "\n--\n\n";
  // The value comes from the server as int8 text; check it so nothing else lands in the SQL.
  bool numeric = !last_value.empty();
  for (size_t i = 0; i < last_value.size(); ++i)
    if (!(std::isdigit(static_cast<unsigned char>(last_value[i])) || (i == 0 && last_value[i] == '-')))
      numeric = false;
  if (!numeric)
    throw std::runtime_error("sequence " + pg::quote_qualified(schema, name) + " has a non-numeric value");
  s += "SELECT pg_catalog.setval(" + pg::quote_literal(pg::quote_qualified(schema, name)) + ", " +
       std::string(last_value) + ", " + (is_called ? "true" : "false") + ");\n\n\n";
  return s;
}

std::string_view data_file_trailer() {
  return "--\n"
         "-- PostgreSQL database dump complete\n"
         "--\n"
         "\n"
         "RESET ALL;\n";
}

std::string copy_out_sql(std::string_view schema, std::string_view table,
                         const std::vector<std::string>& columns, std::string_view where) {
  std::string target = pg::quote_qualified(schema, table);
  if (where.empty()) {
    std::string sql = "COPY " + target;
    if (!columns.empty()) sql += " " + column_list(columns);
    return sql + " TO STDOUT";
  }
  std::string select;
  for (const auto& c : columns) {
    select += select.empty() ? "" : ", ";
    select += pg::quote_ident(c);
  }
  return "COPY (SELECT " + select + " FROM ONLY " + target + " WHERE " + std::string(where) + ") TO STDOUT";
}

}  // namespace crm::engine
