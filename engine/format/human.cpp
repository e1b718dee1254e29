#include "engine/format/human.hpp"

#include <cstdio>

namespace crm::engine {
namespace {
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = kMiB * 1024.0;

std::string fixed2(double v, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %s", v, unit);
  return buf;
}
}  // namespace

// Counted in powers of 1024 and labelled so (GiB, MiB): the old scripts counted the same way but
// wrote GB/MB.
std::string format_gb(std::uint64_t bytes) { return fixed2(static_cast<double>(bytes) / kGiB, "GiB"); }
std::string format_mb(std::uint64_t bytes) { return fixed2(static_cast<double>(bytes) / kMiB, "MiB"); }
std::string format_size_auto(std::uint64_t bytes) {
  return static_cast<double>(bytes) >= kGiB ? format_gb(bytes) : format_mb(bytes);
}

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  int k = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++k) {
    if (k && k % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
  }
  return out;
}

std::string format_us_datetime(const std::tm& t) {
  int hour12 = t.tm_hour % 12 == 0 ? 12 : t.tm_hour % 12;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d/%d/%d, %d:%02d:%02d %s", t.tm_mon + 1, t.tm_mday, t.tm_year + 1900, hour12,
                t.tm_min, t.tm_sec, t.tm_hour < 12 ? "AM" : "PM");
  return buf;
}

std::string format_iso8601_utc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string format_duration(double s) {
  char buf[64];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm %02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else std::snprintf(buf, sizeof buf, "%dh %02dm", static_cast<int>(s) / 3600, (static_cast<int>(s) / 60) % 60);
  return buf;
}

std::string format_rate(double bps) { return fixed2(bps / kMiB, "MiB/s"); }

}  // namespace crm::engine
