#include "engine/schema/kinds/relations/relation_options.hpp"

#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds::relation {
namespace {

bool plain_option_name(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

std::string format_options(const std::vector<std::string>& opts, std::string_view prefix, std::string_view skip) {
  std::string out;
  for (const auto& o : opts) {
    auto eq = o.find('=');
    std::string name = o.substr(0, eq), value = eq == std::string::npos ? "" : o.substr(eq + 1);
    if (!skip.empty() && name == skip) continue;
    if (!out.empty()) out += ", ";
    out += std::string(prefix) + (plain_option_name(name) ? name : pg::quote_ident(name));
    if (eq != std::string::npos) out += "=" + pg::quote_literal(value);
  }
  return out;
}

}  // namespace crm::engine::schema::kinds::relation
