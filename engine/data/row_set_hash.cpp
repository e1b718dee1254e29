#include "engine/data/row_set_hash.hpp"

#include <xxhash.h>

namespace crm::engine {

void RowSetHasher::add_row(std::string_view row) {
  XXH128_hash_t h = XXH3_128bits(row.data(), row.size());
  std::uint64_t low = sum_low_ + h.low64;
  sum_high_ += h.high64 + (low < sum_low_ ? 1 : 0);
  sum_low_ = low;
  ++rows_;
}

void RowSetHasher::update(std::string_view chunk) {
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(chunk);
      return;
    }
    if (partial_.empty()) {
      add_row(chunk.substr(0, nl + 1));
    } else {
      partial_.append(chunk.substr(0, nl + 1));
      add_row(partial_);
      partial_.clear();
    }
    chunk.remove_prefix(nl + 1);
  }
}

RowSetDigest RowSetHasher::digest() const {
  RowSetHasher copy = *this;
  if (!copy.partial_.empty()) {
    copy.add_row(copy.partial_ + "\n");
    copy.partial_.clear();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(32, '0');
  for (int i = 0; i < 16; ++i) {
    hex[static_cast<size_t>(15 - i)] = kHex[(copy.sum_high_ >> (4 * i)) & 15];
    hex[static_cast<size_t>(31 - i)] = kHex[(copy.sum_low_ >> (4 * i)) & 15];
  }
  return {copy.rows_, hex};
}

RowSetDigest row_set_digest(pg::Connection& conn, const std::string& copy_sql) {
  std::string previous(conn.exec("SELECT pg_catalog.current_setting('TimeZone') AS tz").get(0, "tz"));
  conn.exec("SET TimeZone = 'UTC'");
  RowSetHasher h;
  try {
    conn.copy_out(copy_sql, [&](std::string_view chunk) { h.update(chunk); });
  } catch (...) {
    // Inside a failed transaction the SET goes with the rollback; outside, put it back.
    try {
      conn.exec_params("SELECT pg_catalog.set_config('TimeZone', $1, false)", {previous});
    } catch (const pg::PgError&) {
    }
    throw;
  }
  conn.exec_params("SELECT pg_catalog.set_config('TimeZone', $1, false)", {previous});
  return h.digest();
}

}  // namespace crm::engine
