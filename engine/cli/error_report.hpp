#pragma once
// The one place where an error becomes what a script reads: a stable code, the message, a hint
// and the exit code. Typed errors decide (pg::PgError by SQLSTATE, storage::StorageError by its
// kind, std::system_error by errno, the engine's own types); an error wrapped with
// std::throw_with_nested is judged by the first typed error in its chain.
#include <exception>
#include <string>

namespace crm::cli {

struct ErrorReport {
  std::string code;     // stable, listed in the README ("database_unreachable", "usage" ...)
  std::string message;  // the outermost error's text, without a trailing HINT line
  std::string hint;     // what to do next; may be empty
  int exit_code = 1;    // 1 failure, 2 usage, 128+signal when interrupted
  std::string human;    // the outermost error's full text, for "error: ..." on stderr
};

ErrorReport classify_error(std::exception_ptr error);

// {"ok": false, "error": {"code": ..., "message": ..., "hint": ...}, "exit_code": N}
std::string error_json(const ErrorReport& report);

}  // namespace crm::cli
