#include "pgwire/quote.hpp"

#include <stdexcept>

namespace crm::pg {
namespace {

std::string quote_with(std::string_view s, char q, const char* what) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back(q);
  for (char c : s) {
    if (c == '\0') throw std::invalid_argument(std::string(what) + " contains a NUL byte");
    if (c == q) out.push_back(q);
    out.push_back(c);
  }
  out.push_back(q);
  return out;
}

}  // namespace

std::string quote_ident(std::string_view name) { return quote_with(name, '"', "identifier"); }

std::string quote_qualified(std::string_view schema, std::string_view name) {
  return quote_ident(schema) + "." + quote_ident(name);
}

std::string quote_literal(std::string_view text) { return quote_with(text, '\'', "literal"); }

}  // namespace crm::pg
