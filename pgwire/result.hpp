#pragma once
// RAII owner of a PGresult with typed accessors by row and column name.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct pg_result;

namespace crm::pg {

class Result {
 public:
  Result() = default;
  explicit Result(pg_result* res);

  int rows() const;
  int columns() const;
  int column(std::string_view name) const;  // throws if absent
  bool is_null(int row, int col) const;
  std::string_view get(int row, int col) const;  // "" for NULL
  std::string_view get(int row, std::string_view col) const { return get(row, column(col)); }
  std::optional<std::string> get_opt(int row, std::string_view col) const;
  bool get_bool(int row, std::string_view col) const;        // 't' / 'f'
  std::int64_t get_int(int row, std::string_view col) const;  // 0 for NULL
  std::string command_tuples() const;
  pg_result* raw() const { return res_.get(); }

 private:
  struct Deleter {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Deleter> res_;
};

}  // namespace crm::pg
