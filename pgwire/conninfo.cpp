#include "pgwire/conninfo.hpp"

#include <cstdlib>
#include <regex>

namespace crm::pg {
namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}

bool is_url(std::string_view s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

}  // namespace

std::string resolve_target(std::string_view explicit_value) {
  if (!explicit_value.empty()) return std::string(explicit_value);
  if (const char* v = env("SUPABASE_DB_URL")) return v;
  if (const char* v = env("DATABASE_URL")) return v;
  for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"}) {
    if (env(name)) return {};
  }
  return std::string(kLocalSupabaseUrl);
}

std::string redact_target(std::string_view target) {
  if (target.empty()) {
    std::string out = "(libpq environment";
    if (const char* h = env("PGHOST")) out += std::string(" host=") + h;
    if (const char* p = env("PGPORT")) out += std::string(" port=") + p;
    if (const char* d = env("PGDATABASE")) out += std::string(" dbname=") + d;
    if (const char* u = env("PGUSER")) out += std::string(" user=") + u;
    return out + ")";
  }
  std::string s(target);
  if (is_url(s)) {
    // scheme://user:password@host -> scheme://user:***@host (the last '@' ends the userinfo)
    auto scheme_end = s.find("://") + 3;
    auto at = s.find('@', scheme_end);
    auto slash = s.find('/', scheme_end);
    while (at != std::string::npos) {
      auto next = s.find('@', at + 1);
      if (next == std::string::npos || (slash != std::string::npos && next > slash)) break;
      at = next;
    }
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = s.find(':', scheme_end);
      if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
    }
    static const std::regex query_password("([?&]password=)[^&]*", std::regex::icase);
    return std::regex_replace(s, query_password, "$1***");
  }
  static const std::regex kv_password(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*))", std::regex::icase);
  return std::regex_replace(s, kv_password, "$1***");
}

std::string scrub_target_secret(std::string message, std::string_view target) {
  if (target.empty()) return message;
  std::string redacted = redact_target(target);
  if (redacted == target) return message;
  auto replace_all = [&](std::string_view what, std::string_view with) {
    if (what.empty()) return;
    for (size_t at = message.find(what); at != std::string::npos; at = message.find(what, at + with.size()))
      message.replace(at, what.size(), with);
  };
  replace_all(target, redacted);
  // The password is what redaction took out: between the common prefix and common suffix.
  size_t pre = 0;
  while (pre < target.size() && pre < redacted.size() && target[pre] == redacted[pre]) ++pre;
  size_t suf = 0;
  while (suf < target.size() - pre && suf < redacted.size() - pre &&
         target[target.size() - 1 - suf] == redacted[redacted.size() - 1 - suf])
    ++suf;
  replace_all(target.substr(pre, target.size() - pre - suf), "***");
  return message;
}

}  // namespace crm::pg

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>

namespace crm::pg {
namespace {

struct ConninfoDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

std::unique_ptr<PQconninfoOption, ConninfoDeleter> parse(std::string_view target) {
  std::string t(target);
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(t.c_str(), &err);
  if (!opts) {
    std::string msg = err ? err : "out of memory";
    if (err) PQfreemem(err);
    throw std::invalid_argument("cannot parse the database URL " + redact_target(target) + ": " +
                                scrub_target_secret(msg, target));
  }
  return std::unique_ptr<PQconninfoOption, ConninfoDeleter>(opts);
}

std::string quote_conninfo_value(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string target_database(std::string_view target) {
  if (target.empty()) {
    const char* d = std::getenv("PGDATABASE");
    return d ? d : "";
  }
  auto opts = parse(target);
  for (auto* o = opts.get(); o->keyword; ++o)
    if (std::string_view(o->keyword) == "dbname" && o->val) return o->val;
  return {};
}

std::string target_with_database(std::string_view target, std::string_view dbname) {
  std::string out;
  if (!target.empty()) {
    auto opts = parse(target);
    for (auto* o = opts.get(); o->keyword; ++o) {
      if (!o->val || std::string_view(o->keyword) == "dbname") continue;
      out += std::string(o->keyword) + "=" + quote_conninfo_value(o->val) + " ";
    }
  }
  return out + "dbname=" + quote_conninfo_value(dbname);
}

}  // namespace crm::pg
