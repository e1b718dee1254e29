#include "engine/schema/role_filter.hpp"

#include <array>

namespace crm::engine::schema {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

bool is_reserved_role(std::string_view n) {
  static constexpr std::array<std::string_view, 10> exact = {
      "anon", "authenticated", "authenticator", "dashboard_user", "pgbouncer", "postgres",
      "service_role", "pgsodium_keyholder", "pgsodium_keyiduser", "pgsodium_keymaker"};
  for (auto e : exact)
    if (n == e) return true;
  return n == "pgtle_admin" || starts_with(n, "cli_login_") || starts_with(n, "supabase_");
}

bool is_allowed_reserved_config(std::string_view n) {
  return starts_with(n, "pgaudit.") || starts_with(n, "pgrst.") || n == "session_replication_role" ||
         n == "statement_timeout" || n == "track_io_timing";
}

std::string comment_out(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  bool line_start = true;
  for (char c : sql) {
    if (line_start) out += "-- ";
    out.push_back(c);
    line_start = (c == '\n');
  }
  return out;
}

}  // namespace crm::engine::schema

#include "pgwire/quote.hpp"

namespace crm::engine::schema {
namespace {

bool is_list_quote_setting(std::string_view n) {
  return n == "search_path" || n == "temp_tablespaces" || n == "session_preload_libraries" ||
         n == "shared_preload_libraries" || n == "local_preload_libraries" || n == "unix_socket_directories";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string format_setting_value(std::string_view name, std::string_view value) {
  if (!is_list_quote_setting(name)) return pg::quote_literal(value);
  // Same splitting as the server's SplitGUCList: comma separated, "double quoted" elements
  // keep commas and spaces, "" inside quotes is one quote.
  std::string out;
  size_t i = 0;
  bool any = false;
  while (i < value.size()) {
    while (i < value.size() && is_space(value[i])) ++i;
    if (i >= value.size()) break;
    std::string elem;
    if (value[i] == '"') {
      ++i;
      while (i < value.size()) {
        if (value[i] == '"') {
          if (i + 1 < value.size() && value[i + 1] == '"') {
            elem.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        elem.push_back(value[i++]);
      }
    } else {
      while (i < value.size() && value[i] != ',') elem.push_back(value[i++]);
      while (!elem.empty() && is_space(elem.back())) elem.pop_back();
    }
    while (i < value.size() && is_space(value[i])) ++i;
    if (i < value.size() && value[i] == ',') ++i;
    if (any) out += ", ";
    out += pg::quote_literal(elem);
    any = true;
  }
  if (!any) return "''";
  return out;
}

}  // namespace crm::engine::schema
