#include "pgwire/result.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <stdexcept>

namespace crm::pg {

void Result::Deleter::operator()(pg_result* r) const { PQclear(r); }

Result::Result(pg_result* res) : res_(res) {}

int Result::rows() const { return res_ ? PQntuples(res_.get()) : 0; }
int Result::columns() const { return res_ ? PQnfields(res_.get()) : 0; }

int Result::column(std::string_view name) const {
  for (int i = 0, n = columns(); i < n; ++i) {
    if (name == PQfname(res_.get(), i)) return i;
  }
  throw std::out_of_range("result has no column \"" + std::string(name) + "\"");
}

bool Result::is_null(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }

std::string_view Result::get(int row, int col) const {
  if (row < 0 || row >= rows() || col < 0 || col >= columns())
    throw std::out_of_range("result cell out of range");
  return {PQgetvalue(res_.get(), row, col), static_cast<size_t>(PQgetlength(res_.get(), row, col))};
}

std::optional<std::string> Result::get_opt(int row, std::string_view col) const {
  int c = column(col);
  if (is_null(row, c)) return std::nullopt;
  return std::string(get(row, c));
}

bool Result::get_bool(int row, std::string_view col) const { return get(row, col) == "t"; }

std::int64_t Result::get_int(int row, std::string_view col) const {
  auto v = get(row, col);
  std::int64_t out = 0;
  if (v.empty()) return 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    throw std::invalid_argument("column \"" + std::string(col) + "\" is not an integer: " + std::string(v));
  return out;
}

std::string Result::command_tuples() const { return res_ ? PQcmdTuples(res_.get()) : ""; }

}  // namespace crm::pg
