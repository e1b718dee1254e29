#pragma once
// The one error type for everything that talks to PostgreSQL: it keeps the server's
// diagnostic fields so callers can decide on SQLSTATE and users see detail and hint.
#include <stdexcept>
#include <string>

struct pg_result;
struct pg_conn;

namespace crm::pg {

class PgError : public std::runtime_error {
 public:
  PgError(std::string message, std::string sqlstate = {}, std::string detail = {},
          std::string hint = {}, std::string context = {}, int position = 0);

  // Builds the error from a failed result (falls back to the connection's message).
  static PgError from_result(const pg_result* res, const pg_conn* conn, const std::string& what);
  // Builds the error from a connection-level failure (no result available).
  static PgError from_connection(const pg_conn* conn, const std::string& what);

  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& server_message() const { return server_message_; }
  const std::string& detail() const { return detail_; }
  const std::string& hint() const { return hint_; }
  const std::string& context() const { return context_; }
  int position() const { return position_; }
  // True when the connection itself is gone (class 08, 57P01..57P03, or no SQLSTATE at all
  // because libpq lost the socket).
  bool connection_lost() const;

  // Adds "where" to the front of the message, keeping the diagnostics.
  PgError with_context(const std::string& where) const;

 private:
  std::string server_message_;
  std::string sqlstate_;
  std::string detail_;
  std::string hint_;
  std::string context_;
  int position_ = 0;
};

}  // namespace crm::pg
