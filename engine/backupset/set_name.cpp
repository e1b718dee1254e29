#include "engine/backupset/set_name.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace crm::engine {
namespace {

bool digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

int num(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// manifest.enc: an encrypted set's real manifest (engine/backupset/encrypted_set.hpp).
constexpr std::array<std::string_view, 9> kParts = {"roles.sql", "schema.sql", "data.sql.zst", "data.sql",
                                                    "attachments", "manifest.json", "applied-migrations.txt",
                                                    "migrations.sql", "manifest.enc"};

}  // namespace

std::string make_prefix(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "backup-%Y-%m-%d-%H%M%S", &tm);
  return buf;
}

std::optional<SetName> parse_prefix(std::string_view p) {
  // backup-YYYY-MM-DD-HHMMSS (24 chars) or backup-YYYY-MM-DDTHH-MM-SS (26 chars)
  if (p.substr(0, 7) != "backup-" || !digits(p, 7, 4) || p.size() < 24 || p[11] != '-' || !digits(p, 12, 2) ||
      p[14] != '-' || !digits(p, 15, 2))
    return std::nullopt;
  SetName n;
  n.prefix = std::string(p);
  n.local.tm_year = num(p, 7, 4) - 1900;
  n.local.tm_mon = num(p, 12, 2) - 1;
  n.local.tm_mday = num(p, 15, 2);
  if (p.size() == 24 && p[17] == '-' && digits(p, 18, 6)) {
    n.local.tm_hour = num(p, 18, 2);
    n.local.tm_min = num(p, 20, 2);
    n.local.tm_sec = num(p, 22, 2);
  } else if (p.size() == 26 && p[17] == 'T' && digits(p, 18, 2) && p[20] == '-' && digits(p, 21, 2) &&
             p[23] == '-' && digits(p, 24, 2)) {
    n.local.tm_hour = num(p, 18, 2);
    n.local.tm_min = num(p, 21, 2);
    n.local.tm_sec = num(p, 24, 2);
    n.legacy_t_form = true;
  } else {
    return std::nullopt;
  }
  if (n.local.tm_mon > 11 || n.local.tm_mday < 1 || n.local.tm_mday > 31 || n.local.tm_hour > 23 ||
      n.local.tm_min > 59 || n.local.tm_sec > 60)
    return std::nullopt;
  std::tm copy = n.local;
  copy.tm_isdst = -1;
  n.time = std::mktime(&copy);
  return n;
}

std::optional<std::time_t> parse_utc_timestamp(std::string_view s) {
  if (s.size() < 20 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2) ||
      s[10] != 'T' || !digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2))
    return std::nullopt;
  size_t end = 19;
  if (s[end] == '.') {
    ++end;
    while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
  }
  if (end + 1 != s.size() || s[end] != 'Z') return std::nullopt;
  std::tm tm{};
  tm.tm_year = num(s, 0, 4) - 1900;
  tm.tm_mon = num(s, 5, 2) - 1;
  tm.tm_mday = num(s, 8, 2);
  tm.tm_hour = num(s, 11, 2);
  tm.tm_min = num(s, 14, 2);
  tm.tm_sec = num(s, 17, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  return ::timegm(&tm);
}

std::optional<SetPart> parse_set_file_name(std::string_view f) {
  for (size_t len : {size_t{24}, size_t{26}}) {
    if (f.size() <= len + 1 || f[len] != '-') continue;
    auto name = parse_prefix(f.substr(0, len));
    if (!name) continue;
    std::string_view part = f.substr(len + 1);
    for (auto known : kParts)
      if (part == known) return SetPart{*name, std::string(part)};
  }
  return std::nullopt;
}

}  // namespace crm::engine
