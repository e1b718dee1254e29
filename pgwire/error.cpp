#include "pgwire/error.hpp"

#include <libpq-fe.h>

#include <cstdlib>

namespace crm::pg {
namespace {

std::string field(const PGresult* res, int code) {
  const char* v = res ? PQresultErrorField(res, code) : nullptr;
  return v ? std::string(v) : std::string();
}

std::string trim_trailing_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string compose(const std::string& what, const std::string& msg, const std::string& detail,
                    const std::string& hint) {
  std::string out = what.empty() ? msg : what + ": " + msg;
  if (!detail.empty()) out += "\nDETAIL: " + detail;
  if (!hint.empty()) out += "\nHINT: " + hint;
  return out;
}

}  // namespace

PgError::PgError(std::string message, std::string sqlstate, std::string detail, std::string hint,
                 std::string context, int position)
    : std::runtime_error(compose("", message, detail, hint)),
      server_message_(std::move(message)),
      sqlstate_(std::move(sqlstate)),
      detail_(std::move(detail)),
      hint_(std::move(hint)),
      context_(std::move(context)),
      position_(position) {}

PgError PgError::from_result(const pg_result* res, const pg_conn* conn, const std::string& what) {
  std::string msg = trim_trailing_newlines(field(res, PG_DIAG_MESSAGE_PRIMARY));
  if (msg.empty() && res) msg = trim_trailing_newlines(PQresultErrorMessage(res));
  if (msg.empty() && conn) msg = trim_trailing_newlines(PQerrorMessage(conn));
  if (msg.empty()) msg = "unknown error";
  std::string pos = field(res, PG_DIAG_STATEMENT_POSITION);
  PgError e(msg, field(res, PG_DIAG_SQLSTATE), field(res, PG_DIAG_MESSAGE_DETAIL),
            field(res, PG_DIAG_MESSAGE_HINT), field(res, PG_DIAG_CONTEXT),
            pos.empty() ? 0 : std::atoi(pos.c_str()));
  return what.empty() ? e : e.with_context(what);
}

PgError PgError::from_connection(const pg_conn* conn, const std::string& what) {
  std::string msg = conn ? trim_trailing_newlines(PQerrorMessage(conn)) : "out of memory";
  if (msg.empty()) msg = "connection failed";
  PgError e(msg);
  return what.empty() ? e : e.with_context(what);
}

bool PgError::connection_lost() const {
  if (sqlstate_.empty()) return true;
  return sqlstate_.rfind("08", 0) == 0 || sqlstate_ == "57P01" || sqlstate_ == "57P02" ||
         sqlstate_ == "57P03";
}

PgError PgError::with_context(const std::string& where) const {
  PgError e(*this);
  static_cast<std::runtime_error&>(e) = std::runtime_error(compose(where, server_message_, detail_, hint_));
  return e;
}

}  // namespace crm::pg
