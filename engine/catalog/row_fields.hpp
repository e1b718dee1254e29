#pragma once
// Reading one field of a catalog query's row into the model's types. Shared by the kind
// modules that parse their rows into the Catalog (engine/schema/kinds/).
#include <string>
#include <string_view>
#include <vector>

#include "engine/catalog/catalog.hpp"
#include "pgwire/result.hpp"

namespace crm::engine::catalog {

inline Oid oid_at(const pg::Result& r, int row, std::string_view col) { return static_cast<Oid>(r.get_int(row, col)); }

// '\0' for an empty (or NULL) "char" column: "none" in the model.
inline char char_at(const pg::Result& r, int row, std::string_view col) {
  auto v = r.get(row, col);
  return v.empty() ? '\0' : v[0];
}

inline std::string str_at(const pg::Result& r, int row, std::string_view col) { return std::string(r.get(row, col)); }

// A text[] the query joined with the unit separator (0x1f) so that no element needs quoting.
inline std::vector<std::string> split_unit(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find('\x1f', start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

// One aclexplode() row (columns grantor, grantee, privilege_type, is_grantable).
inline AclEntry acl_entry(const pg::Result& r, int row) {
  return {str_at(r, row, "grantor"), str_at(r, row, "grantee"), str_at(r, row, "privilege_type"),
          r.get_bool(row, "is_grantable")};
}

}  // namespace crm::engine::catalog
