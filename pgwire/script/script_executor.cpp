#include "pgwire/script/script_executor.hpp"

#include <cctype>
#include <cstdlib>
#include <regex>

namespace crm::pg {
namespace {

std::string first_line(std::string_view text) {
  std::string s(text.substr(0, text.find('\n')));
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.size() > 160) s = s.substr(0, 160) + "...";
  return s;
}

// The server's CONTEXT for a bad COPY row reads "COPY t, line N[, column c]: ...": turn N into
// the file's own line number.
std::uint64_t copy_error_file_line(const PgError& e, std::uint64_t data_first_line, std::uint64_t fallback) {
  static const std::regex kLine(R"(COPY [^,]*, line ([0-9]+))");
  std::smatch m;
  const std::string& ctx = e.context();
  if (data_first_line && std::regex_search(ctx, m, kLine))
    return data_first_line + std::strtoull(m[1].str().c_str(), nullptr, 10) - 1;
  return fallback;
}

// The statement's first keyword when it controls transactions ("" otherwise). The splitter
// hands over statements starting at their first significant character.
std::string transaction_keyword(std::string_view text) {
  std::string word;
  for (char c : text) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  static constexpr std::string_view kControl[] = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT",
                                                  "SAVEPOINT", "RELEASE"};
  for (auto k : kControl)
    if (word == k) return word;
  return {};
}

}  // namespace

ScriptExecError::ScriptExecError(const PgError& cause, std::string file, std::uint64_t line, std::string statement)
    : PgError(cause.with_context(file + ":" + std::to_string(line) + ": in \"" + statement + "\"")),
      file_(std::move(file)),
      line_(line),
      statement_(std::move(statement)) {}

ExecutorStats execute_script(Connection& conn, SqlSplitter& script, const ExecutorOptions& opts) {
  ExecutorStats stats;
  std::string database = opts.database.empty() ? conn.database() : opts.database;
  ScriptEvent ev;
  ScriptStatement stmt;
  bool in_copy = false, skipping_copy = false;
  std::uint64_t copy_data_line = 0;
  auto progress = [&] {
    if (opts.on_progress) opts.on_progress(stats.statements, stats.copy_bytes);
  };
  try {
    while (script.next(ev)) {
      switch (ev.kind) {
        case ScriptEvent::Kind::kConnect:
          if (ev.text != database)
            throw ScriptError(script.file_name(), ev.line,
                              "\\connect to database \"" + std::string(ev.text) + "\" is not supported: the script "
                              "is being restored into \"" + database + "\"");
          break;
        case ScriptEvent::Kind::kStatement: {
          stmt.text.assign(ev.text);
          stmt.line = ev.line;
          stmt.copy_from_stdin = ev.copy_from_stdin;
          StatementAction action = opts.on_statement ? opts.on_statement(stmt) : StatementAction::kRun;
          if (action == StatementAction::kSkip) {
            ++stats.skipped;
            skipping_copy = ev.copy_from_stdin;
            break;
          }
          if (!opts.allow_transaction_control) {
            std::string kw = transaction_keyword(stmt.text);
            if (!kw.empty())
              throw ScriptError(script.file_name(), stmt.line,
                                kw + " inside the script would end the restore's single transaction part-way; "
                                     "remove it from the file (pg_dump never writes it)");
          }
          try {
            if (ev.copy_from_stdin) {
              conn.copy_in_begin(stmt.text);
              in_copy = true;
              copy_data_line = 0;
            } else {
              conn.exec(stmt.text);
            }
          } catch (const PgError& e) {
            throw ScriptExecError(e, script.file_name(), stmt.line, first_line(stmt.text));
          }
          ++stats.statements;
          if (!ev.copy_from_stdin) progress();
          break;
        }
        case ScriptEvent::Kind::kCopyData:
          if (skipping_copy) break;
          if (!copy_data_line) copy_data_line = ev.line;
          try {
            conn.copy_in_put(ev.text);
          } catch (const PgError& e) {
            in_copy = false;
            throw ScriptExecError(e, script.file_name(), ev.line, first_line(stmt.text));
          }
          stats.copy_bytes += ev.text.size();
          break;
        case ScriptEvent::Kind::kCopyEnd:
          if (skipping_copy) {
            skipping_copy = false;
            break;
          }
          in_copy = false;
          try {
            stats.copy_rows += conn.copy_in_end();
          } catch (const PgError& e) {
            throw ScriptExecError(e, script.file_name(), copy_error_file_line(e, copy_data_line, stmt.line),
                                  first_line(stmt.text));
          }
          ++stats.copy_blocks;
          progress();
          break;
      }
    }
  } catch (const ScriptError& e) {
    // The script broke inside a COPY block: end the COPY so the connection stays usable
    // (the caller rolls back).
    if (in_copy) conn.copy_in_abort("script error: " + std::string(e.what()));
    throw;
  } catch (const ScriptExecError&) {
    throw;
  } catch (const std::exception& e) {
    if (in_copy) conn.copy_in_abort(std::string("aborted: ") + e.what());
    throw;
  }
  return stats;
}

ParseStats parse_script(SqlSplitter& script) {
  ParseStats stats;
  ScriptEvent ev;
  std::uint64_t last_line = 0;
  while (script.next(ev)) {
    last_line = ev.line;
    switch (ev.kind) {
      case ScriptEvent::Kind::kStatement: ++stats.statements; break;
      case ScriptEvent::Kind::kCopyData: stats.copy_bytes += ev.text.size(); break;
      case ScriptEvent::Kind::kCopyEnd: ++stats.copy_blocks; break;
      case ScriptEvent::Kind::kConnect: break;
    }
  }
  stats.lines = last_line;
  return stats;
}

}  // namespace crm::pg
