#pragma once
// Replays a split SQL script on one connection as psql -v ON_ERROR_STOP=1 would: one PQexec
// per statement, COPY data streamed with PQputCopyData, \connect only to the database already
// connected. Transactions are the caller's: wrap the call in pg::Transaction to get
// all-or-nothing. A hook sees every statement first (restore adds FREEZE to COPY headers,
// skips or defers statements, rewrites others).
#include <cstdint>
#include <functional>
#include <string>

#include "pgwire/connection.hpp"
#include "pgwire/error.hpp"
#include "pgwire/script/sql_splitter.hpp"

namespace crm::pg {

struct ScriptStatement {
  std::string text;       // may be rewritten by the hook
  std::uint64_t line = 0; // first line in the file
  bool copy_from_stdin = false;  // a COPY header: its data follows
};

enum class StatementAction {
  kRun,   // execute text (as rewritten)
  kSkip,  // do not execute; a skipped COPY header also skips its data
};

struct ExecutorOptions {
  std::function<StatementAction(ScriptStatement&)> on_statement;
  // Called after each statement or COPY block with the totals so far.
  std::function<void(std::uint64_t statements, std::uint64_t copy_bytes)> on_progress;
  // The database \connect may name; empty = the connection's own database.
  std::string database;
  // BEGIN/COMMIT/ROLLBACK/SAVEPOINT... inside a script would end the caller's transaction
  // part-way and break all-or-nothing, so they are refused unless allowed here.
  bool allow_transaction_control = false;
};

struct ExecutorStats {
  std::uint64_t statements = 0;  // executed (COPY headers included)
  std::uint64_t skipped = 0;
  std::uint64_t copy_blocks = 0;
  std::uint64_t copy_rows = 0;
  std::uint64_t copy_bytes = 0;
};

// A statement failed on the server: the message names the file, the line, the statement's
// first line, then the server's message, detail and hint (sqlstate etc. kept).
class ScriptExecError : public PgError {
 public:
  ScriptExecError(const PgError& cause, std::string file, std::uint64_t line, std::string statement);
  const std::string& file() const { return file_; }
  std::uint64_t line() const { return line_; }
  const std::string& statement() const { return statement_; }

 private:
  std::string file_;
  std::uint64_t line_;
  std::string statement_;
};

// Runs the whole script. Throws ScriptError (unparsable input, unsupported meta-command,
// \connect elsewhere) or ScriptExecError (the server refused a statement or COPY row).
ExecutorStats execute_script(Connection& conn, SqlSplitter& script, const ExecutorOptions& opts = {});

struct ParseStats {
  std::uint64_t statements = 0;
  std::uint64_t copy_blocks = 0;
  std::uint64_t copy_bytes = 0;
  std::uint64_t lines = 0;
};

// Splits the whole script without a server (verify): throws ScriptError at the first
// unparsable statement, with file and line.
ParseStats parse_script(SqlSplitter& script);

}  // namespace crm::pg
