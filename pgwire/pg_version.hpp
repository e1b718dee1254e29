#pragma once
// The server's version as libpq reports it (server_version_num, e.g. 180004), and the one
// place that states which major versions the engine supports. Every version branch in the
// catalog queries asks this type (at_least(17)) instead of comparing raw integers.
#include <string>
#include <string_view>

namespace crm::pg {

class Connection;

class PgVersion {
 public:
  // The supported majors, oldest and newest: what the tests run (15 to 18) plus 14, which is
  // past end of life but still works where it costs nothing.
  static constexpr int kOldestMajor = 14;
  static constexpr int kNewestMajor = 18;

  constexpr explicit PgVersion(int num) : num_(num) {}
  static PgVersion of(const Connection& conn);

  constexpr int num() const { return num_; }
  constexpr int major() const { return num_ / 10000; }
  constexpr bool at_least(int major_version) const { return num_ >= major_version * 10000; }
  constexpr bool supported() const { return major() >= kOldestMajor && major() <= kNewestMajor; }
  // "18.4" (what SHOW server_version starts with for 10 and newer).
  std::string text() const;
  // Throws std::runtime_error naming the action and the supported range when unsupported,
  // e.g. "schema dump supports PostgreSQL 14 to 18; the server is PostgreSQL 19.0 (190000)".
  void require_supported(std::string_view action) const;

 private:
  int num_;
};

}  // namespace crm::pg
