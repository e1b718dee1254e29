#include "engine/schema/kinds/sql_files.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace crm::engine::schema::kinds {
namespace {

// The version a file name gives for stem: 0 for "<stem>.sql", NN for "<stem>.pgNN.sql",
// nullopt for any other file.
std::optional<int> variant_of(std::string_view name, std::string_view stem) {
  if (name.size() < stem.size() + 4 || name.substr(0, stem.size()) != stem) return std::nullopt;
  std::string_view rest = name.substr(stem.size());
  if (rest == ".sql") return 0;
  if (rest.substr(0, 3) != ".pg" || rest.substr(rest.size() - 4) != ".sql") return std::nullopt;
  std::string_view digits = rest.substr(3, rest.size() - 7);
  int major = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), major);
  if (ec != std::errc() || end != digits.data() + digits.size() || major <= 0) return std::nullopt;
  return major;
}

}  // namespace

std::optional<std::string_view> query_for(std::string_view stem, pg::PgVersion v, const std::vector<SqlFile>& files) {
  bool any = false;
  int best_major = -1;
  std::optional<std::string_view> best;
  for (const auto& f : files) {
    auto major = variant_of(f.name, stem);
    if (!major) continue;
    any = true;
    if (*major <= v.major() && *major > best_major) {
      best_major = *major;
      best = f.text;
    }
  }
  if (!any) throw std::logic_error("no catalog query " + std::string(stem) + ".sql is embedded");
  return best;
}

}  // namespace crm::engine::schema::kinds
