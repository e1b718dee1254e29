#include "engine/restore/platform_check.hpp"

#include <cctype>
#include <optional>

#include "pgwire/quote.hpp"

namespace crm::engine {
namespace {

struct Token {
  enum Kind { kWord, kIdent, kString, kPunct } kind;
  std::string text;  // words lower-cased, identifiers unquoted
  int depth = 0;     // parenthesis depth
};

// Enough of SQL's lexical rules to find names: quotes, E'' and dollar quotes, comments.
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  int depth = 0;
  size_t p = 0;
  while (p < s.size()) {
    char c = s[p];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++p;
    } else if (c == '-' && p + 1 < s.size() && s[p + 1] == '-') {
      while (p < s.size() && s[p] != '\n') ++p;
    } else if (c == '/' && p + 1 < s.size() && s[p + 1] == '*') {
      int nest = 0;
      do {
        if (s.compare(p, 2, "/*") == 0) ++nest, p += 2;
        else if (s.compare(p, 2, "*/") == 0) --nest, p += 2;
        else ++p;
      } while (nest > 0 && p < s.size());
    } else if (c == '"') {
      std::string id;
      for (++p; p < s.size(); ++p) {
        if (s[p] != '"') id += s[p];
        else if (p + 1 < s.size() && s[p + 1] == '"') id += '"', ++p;
        else break;
      }
      ++p;
      out.push_back({Token::kIdent, id, depth});
    } else if (c == '\'') {
      bool escapes = !out.empty() && out.back().kind == Token::kWord && out.back().text == "e";
      for (++p; p < s.size(); ++p) {
        if (escapes && s[p] == '\\') ++p;
        else if (s[p] == '\'' && p + 1 < s.size() && s[p + 1] == '\'') ++p;
        else if (s[p] == '\'') break;
      }
      ++p;
      out.push_back({Token::kString, "", depth});
    } else if (c == '$' && (p + 1 < s.size()) && (s[p + 1] == '$' || std::isalpha(static_cast<unsigned char>(s[p + 1])) || s[p + 1] == '_')) {
      size_t end = s.find('$', p + 1);
      std::string tag(s.substr(p, end == std::string_view::npos ? 1 : end - p + 1));
      size_t close = end == std::string_view::npos ? std::string_view::npos : s.find(tag, end + 1);
      p = close == std::string_view::npos ? s.size() : close + tag.size();
      out.push_back({Token::kString, "", depth});
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80) {
      std::string w;
      while (p < s.size() && (std::isalnum(static_cast<unsigned char>(s[p])) || s[p] == '_' || s[p] == '$' ||
                              static_cast<unsigned char>(s[p]) >= 0x80))
        w += static_cast<char>(std::tolower(static_cast<unsigned char>(s[p++])));
      out.push_back({Token::kWord, w, depth});
    } else {
      if (c == ')') --depth;
      out.push_back({Token::kPunct, std::string(1, c), depth});
      if (c == '(') ++depth;
      ++p;
    }
  }
  return out;
}

class RoleScan {
 public:
  RoleScan(std::string_view stmt, std::set<std::string>& referenced, std::set<std::string>& created)
      : t_(tokenize(stmt)), ref_(referenced), created_(created) {}

  void run() {
    if (word(0, "create") && (word(1, "role") || word(1, "user") || word(1, "group"))) {
      if (auto r = role_at(2)) created_.insert(*r);
    } else if (word(0, "alter") && (word(1, "role") || word(1, "user")) && !word(2, "all")) {
      add(role_at(2));
    } else if (word(0, "alter") && word(1, "default") && word(2, "privileges")) {
      size_t i = 3;
      for (; i < t_.size() && !word(i, "grant") && !word(i, "revoke"); ++i)
        if (word(i, "for") && (word(i + 1, "role") || word(i + 1, "user"))) i = role_list(i + 2, {"in", "grant", "revoke"}) - 1;
      if (i < t_.size()) grant(i);
    } else if (word(0, "grant") || word(0, "revoke")) {
      grant(0);
    } else if ((word(0, "create") || word(0, "alter")) && word(1, "policy")) {
      size_t on = find(2, "on");
      if (on < t_.size()) {
        size_t to = find(on + 1, "to");
        if (to < t_.size()) role_list(to + 1, {"using", "with"});
      }
    } else if (word(0, "create") && word(1, "schema")) {
      size_t a = find(2, "authorization");
      if (a < t_.size()) add(role_at(a + 1));
    } else if (word(0, "alter")) {
      for (size_t i = 1; i + 1 < t_.size(); ++i)
        if (t_[i].depth == 0 && word(i, "owner") && word(i + 1, "to")) add(role_at(i + 2));
    }
  }

 private:
  bool word(size_t i, std::string_view w) const { return i < t_.size() && t_[i].kind == Token::kWord && t_[i].text == w; }
  size_t find(size_t from, std::string_view w) const {
    for (size_t i = from; i < t_.size(); ++i)
      if (t_[i].depth == 0 && word(i, w)) return i;
    return t_.size();
  }
  std::optional<std::string> role_at(size_t i) const {
    if (i >= t_.size()) return std::nullopt;
    if (t_[i].kind == Token::kIdent) return t_[i].text;
    static const std::set<std::string> kNotRoles = {"public", "current_user", "current_role", "session_user", "none"};
    if (t_[i].kind == Token::kWord && !kNotRoles.count(t_[i].text)) return t_[i].text;
    return std::nullopt;
  }
  void add(const std::optional<std::string>& r) {
    if (r) ref_.insert(*r);
  }
  // Names separated by commas from i until a stop word or ';'; returns where it stopped.
  size_t role_list(size_t i, std::initializer_list<std::string_view> stops) {
    for (; i < t_.size(); ++i) {
      const Token& k = t_[i];
      if (k.kind == Token::kPunct) {
        if (k.text == ",") continue;
        break;
      }
      bool stop = false;
      for (auto s : stops) stop = stop || word(i, s);
      if (stop) break;
      if (word(i, "group")) continue;
      add(role_at(i));
    }
    return i;
  }
  void grant(size_t g) {
    bool is_grant = word(g, "grant");
    size_t on = find(g + 1, "on");
    const char* direction = is_grant ? "to" : "from";
    if (on < t_.size()) {
      size_t d = find(on + 1, direction);
      if (d < t_.size()) role_list(d + 1, {"with", "granted", "cascade", "restrict"});
    } else {  // role membership: GRANT role TO member
      size_t i = g + 1;
      if (!is_grant && word(i + 1, "option") && word(i + 2, "for")) i += 3;
      size_t d = role_list(i, {direction});
      if (word(d, direction)) role_list(d + 1, {"with", "granted", "cascade", "restrict"});
    }
    size_t by = find(g + 1, "granted");
    if (by < t_.size() && word(by + 1, "by")) add(role_at(by + 2));
  }

  std::vector<Token> t_;
  std::set<std::string>& ref_;
  std::set<std::string>& created_;
};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string describe(const MissingPlatform& m) {
  std::string out =
      "the target database lacks the Supabase platform this backup needs (restore into a Supabase project, "
      "or a local one started with `supabase start`); nothing was changed. Missing:";
  if (!m.roles.empty()) out += "\n    roles: " + join(m.roles);
  if (!m.schemas.empty()) out += "\n    schemas: " + join(m.schemas);
  if (!m.tables.empty()) out += "\n    tables: " + join(m.tables);
  return out;
}

}  // namespace

TargetLacksPlatformError::TargetLacksPlatformError(MissingPlatform m)
    : std::runtime_error(describe(m)), missing_(std::move(m)) {}

void collect_role_references(std::string_view statement, std::set<std::string>& referenced,
                             std::set<std::string>& created) {
  RoleScan(statement, referenced, created).run();
}

MissingPlatform find_missing_platform(pg::Connection& conn, const std::set<std::string>& roles,
                                      const std::vector<std::pair<std::string, std::string>>& tables) {
  MissingPlatform m;
  for (const auto& r : roles)
    if (conn.exec_params("SELECT count(*) AS n FROM pg_catalog.pg_roles WHERE rolname = $1", {r}).get_int(0, "n") == 0)
      m.roles.push_back(pg::quote_ident(r));
  std::set<std::string> schemas_missing;
  for (const auto& [schema, table] : tables) {
    if (schemas_missing.count(schema)) continue;
    if (conn.exec_params("SELECT count(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = $1", {schema})
            .get_int(0, "n") == 0) {
      schemas_missing.insert(schema);
      m.schemas.push_back(pg::quote_ident(schema));
      continue;
    }
    if (!conn.exec_params("SELECT pg_catalog.to_regclass($1) IS NOT NULL AS present", {pg::quote_qualified(schema, table)})
             .get_bool(0, "present"))
      m.tables.push_back(pg::quote_qualified(schema, table));
  }
  return m;
}

}  // namespace crm::engine
