#include "engine/restore/lock_limit.hpp"

#include <cctype>
#include <string>

#include "engine/db_lock_wait.hpp"

namespace crm::engine {

bool changes_lock_timeout(std::string_view s) {
  // By hand, not std::regex: a statement may be a function body of many kilobytes.
  std::string lower;
  lower.reserve(s.size());
  for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  size_t p = lower.find_first_not_of(" \t\r\n");
  if (p == std::string::npos) return false;
  std::string_view head = std::string_view(lower).substr(p);
  auto starts = [&](std::string_view w) {
    return head.substr(0, w.size()) == w && (head.size() == w.size() || !std::isalnum(static_cast<unsigned char>(head[w.size()])));
  };
  if (!starts("set") && !starts("reset") && !starts("select")) return false;
  if (starts("reset")) {
    size_t q = head.find_first_not_of(" \t\r\n", 5);
    if (q != std::string::npos && head.substr(q, 3) == "all") return true;
  }
  return head.find("lock_timeout") != std::string::npos;
}

LockLimit::LockLimit(pg::Connection& conn, std::chrono::milliseconds limit) : conn_(conn), limit_(limit) {
  dirty_ = limit_.count() > 0;
  restore();
}

void LockLimit::restore() {
  if (!dirty_) return;
  set_lock_timeout(conn_, limit_);
  dirty_ = false;
}

void LockLimit::note(std::string_view statement) {
  if (limit_.count() > 0 && changes_lock_timeout(statement)) dirty_ = true;
}

LockLimit::Hook LockLimit::wrap(Hook inner) {
  return [this, inner = std::move(inner)](pg::ScriptStatement& s) {
    restore();
    auto action = inner ? inner(s) : pg::StatementAction::kRun;
    if (action == pg::StatementAction::kRun) note(s.text);
    return action;
  };
}

}  // namespace crm::engine
