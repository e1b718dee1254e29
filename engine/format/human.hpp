#pragma once
// Numbers and dates the way the old scripts printed them (they ran on Node with en-US
// formatting): "12.00 GiB", "12290.45 MiB", "33,000", "1/15/2024, 2:30:22 PM". Sizes are
// counted in powers of 1024 and labelled GiB/MiB/KiB everywhere (the old scripts wrote GB/MB).
#include <cstdint>
#include <ctime>
#include <string>

namespace crm::engine {

std::string format_gb(std::uint64_t bytes);        // "12.00 GiB"
std::string format_mb(std::uint64_t bytes);        // "12290.45 MiB"
std::string format_size_auto(std::uint64_t bytes);  // "0.01 MiB" below 1 GiB, else "12.00 GiB"
std::string format_count(std::uint64_t n);          // "33,000"
std::string format_us_datetime(const std::tm& local);  // "1/15/2024, 2:30:22 PM"
std::string format_iso8601_utc(std::time_t t);      // "2024-01-15T14:30:22Z"
std::string format_duration(double seconds);        // "1m 05s", "3.2 s"
std::string format_rate(double bytes_per_second);   // "123.40 MiB/s"

}  // namespace crm::engine
