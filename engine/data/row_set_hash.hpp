#pragma once
// The content of a relation whose row order is not stable, as a multiset of rows: a
// materialized view refilled by REFRESH (the plan decides the order) or the migration ledger
// rewritten by DELETE + COPY. Each row's XXH3-128 is added modulo 2^128, so any order of the
// same rows gives the same digest.
#include <cstdint>
#include <string>
#include <string_view>

#include "pgwire/connection.hpp"

namespace crm::engine {

struct RowSetDigest {
  std::uint64_t rows = 0;
  std::string xxh3_128_sum;  // 32 hex digits
  bool operator==(const RowSetDigest&) const = default;
};

class RowSetHasher {
 public:
  // COPY text payload in chunks of any size; a row is everything up to and including '\n'.
  void update(std::string_view chunk);
  RowSetDigest digest() const;  // a trailing row without '\n' counts as a row

 private:
  void add_row(std::string_view row);
  std::uint64_t sum_high_ = 0, sum_low_ = 0;  // the 128-bit sum
  std::uint64_t rows_ = 0;
  std::string partial_;
};

// Runs a "COPY (...) TO STDOUT" with TimeZone UTC (timestamptz text must not depend on the
// session or the server it runs on) and digests its rows; the session's TimeZone is restored.
RowSetDigest row_set_digest(pg::Connection& conn, const std::string& copy_sql);

}  // namespace crm::engine
