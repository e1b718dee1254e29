// Issue 16 item 9: every typed error maps to one stable code and exit code, and the JSON a
// script reads has one shape.
#include "engine/cli/error_report.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "engine/cli/output_options.hpp"
#include "engine/errors.hpp"
#include "engine/restore/platform_check.hpp"
#include "pgwire/error.hpp"
#include "storage-api/errors.hpp"

using crm::cli::classify_error;
using crm::cli::ErrorReport;

namespace {

template <typename E>
ErrorReport report_of(const E& e) {
  return classify_error(std::make_exception_ptr(e));
}

void expect_code(const ErrorReport& r, const std::string& code, int exit_code) {
  EXPECT_EQ(r.code, code) << r.message;
  EXPECT_EQ(r.exit_code, exit_code) << r.message;
}

}  // namespace

TEST(ErrorReport, EngineTypes) {
  expect_code(report_of(crm::engine::UsageError("bad flag")), "usage", 2);
  expect_code(report_of(crm::engine::LockTimeoutError("waited 60 s for public.deals")), "lock_timeout", 1);
  expect_code(report_of(crm::engine::DamagedSetError("does not match its manifest")), "damaged_set", 1);
  expect_code(report_of(crm::engine::InterruptedError(SIGTERM, "interrupted")), "interrupted", 128 + SIGTERM);
  expect_code(report_of(crm::engine::InterruptedError(SIGINT, "interrupted")), "interrupted", 128 + SIGINT);
  expect_code(report_of(std::runtime_error("something else")), "failed", 1);
  crm::engine::MissingPlatform missing;
  missing.roles = {"authenticated"};
  expect_code(report_of(crm::engine::TargetLacksPlatformError(missing)), "target_lacks_platform", 1);
}

TEST(ErrorReport, DatabaseErrorsBySqlstate) {
  using crm::pg::PgError;
  expect_code(report_of(PgError("connection refused")), "database_unreachable", 1);  // libpq: no SQLSTATE
  expect_code(report_of(PgError("x", "08006")), "database_unreachable", 1);
  expect_code(report_of(PgError("x", "08001")), "database_unreachable", 1);
  expect_code(report_of(PgError("terminating connection", "57P01")), "database_unreachable", 1);
  expect_code(report_of(PgError("password authentication failed", "28P01")), "database_auth", 1);
  expect_code(report_of(PgError("no pg_hba.conf entry", "28000")), "database_auth", 1);
  expect_code(report_of(PgError("canceling statement due to lock timeout", "55P03")), "lock_timeout", 1);
  expect_code(report_of(PgError("database \"x\" does not exist", "3D000")), "database_not_found", 1);
  expect_code(report_of(PgError("could not extend file", "53100")), "disk_full", 1);
  expect_code(report_of(PgError("relation \"x\" does not exist", "42P01")), "database_error", 1);
}

TEST(ErrorReport, TheServersHintBecomesTheHintAndLeavesTheMessage) {
  auto r = report_of(crm::pg::PgError("cannot reach the database", "08006", "", "start it: supabase start"));
  EXPECT_EQ(r.hint, "start it: supabase start");
  EXPECT_EQ(r.message, "cannot reach the database");
  EXPECT_NE(r.human.find("HINT: start it"), std::string::npos);  // the human line keeps it
}

TEST(ErrorReport, StorageErrorsByKind) {
  using crm::storage::ErrorKind;
  using crm::storage::StorageError;
  expect_code(report_of(StorageError(ErrorKind::kKeyRejected, "rejected")), "storage_auth", 1);
  expect_code(report_of(StorageError(ErrorKind::kTransport, "cannot reach")), "storage_unreachable", 1);
  expect_code(report_of(StorageError(ErrorKind::kBucketMissing, "no bucket")), "storage_not_found", 1);
  expect_code(report_of(StorageError(ErrorKind::kNotFound, "no object")), "storage_not_found", 1);
  expect_code(report_of(StorageError(ErrorKind::kHttp, "HTTP 500")), "storage_error", 1);
  expect_code(report_of(StorageError(ErrorKind::kProtocol, "malformed")), "storage_error", 1);
}

TEST(ErrorReport, OperatingSystemErrorsByErrno) {
  auto sys = [](int e) { return std::system_error(e, std::generic_category(), "/backups/x"); };
  expect_code(report_of(sys(ENOSPC)), "disk_full", 1);
  expect_code(report_of(sys(EDQUOT)), "disk_full", 1);
  expect_code(report_of(sys(EACCES)), "permission", 1);
  expect_code(report_of(sys(EPERM)), "permission", 1);
  expect_code(report_of(sys(EIO)), "io_error", 1);
  expect_code(report_of(std::system_error(ENOSPC, std::system_category(), "write")), "disk_full", 1);
  std::filesystem::filesystem_error fe("cannot open", "/backups", std::make_error_code(std::errc::permission_denied));
  expect_code(report_of(fe), "permission", 1);
}

TEST(ErrorReport, AWrappedErrorIsJudgedByWhatItWraps) {
  std::exception_ptr ep;
  try {
    try {
      throw crm::pg::PgError("canceling statement due to lock timeout", "55P03");
    } catch (const std::exception& e) {
      std::throw_with_nested(std::runtime_error(std::string("restore failed, rolled back: ") + e.what()));
    }
  } catch (...) {
    ep = std::current_exception();
  }
  auto r = classify_error(ep);
  expect_code(r, "lock_timeout", 1);
  EXPECT_EQ(r.message, "restore failed, rolled back: canceling statement due to lock timeout");
}

TEST(ErrorReport, JsonHasOneShape) {
  auto r = report_of(crm::storage::StorageError(crm::storage::ErrorKind::kKeyRejected, "key \"x\"\nrejected"));
  std::string json = crm::cli::error_json(r);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  bool ok = true;
  ASSERT_EQ(doc["ok"].get(ok), simdjson::SUCCESS);
  EXPECT_FALSE(ok);
  std::string_view code, message, hint;
  ASSERT_EQ(doc["error"]["code"].get(code), simdjson::SUCCESS);
  ASSERT_EQ(doc["error"]["message"].get(message), simdjson::SUCCESS);
  ASSERT_EQ(doc["error"]["hint"].get(hint), simdjson::SUCCESS);
  EXPECT_EQ(code, "storage_auth");
  EXPECT_EQ(message, "key \"x\"\nrejected");
  EXPECT_NE(hint.find("SUPABASE_SERVICE_ROLE_KEY"), std::string_view::npos);
  std::int64_t exit_code = 0;
  ASSERT_EQ(doc["exit_code"].get(exit_code), simdjson::SUCCESS);
  EXPECT_EQ(exit_code, 1);
}

TEST(QuietLines, KeepsProblemsAndQuestionsOnly) {
  std::ostringstream sink;
  {
    crm::cli::HumanOutput human(sink, /*quiet=*/true);
    std::ostream& out = human.stream();
    out << "Dumping database roles...\n" << std::flush;
    out << "  \u2717 roles.sql: size (expected 10, found 9)\n";
    out << "  \u26A0 Warning: left out a foreign table\n";
    out << "Backup state: complete\n";
    out << "? Are you sure? (y/N) " << std::flush;
  }
  EXPECT_EQ(sink.str(),
            "  \u2717 roles.sql: size (expected 10, found 9)\n  \u26A0 Warning: left out a foreign table\n"
            "? Are you sure? (y/N) ");
  std::ostringstream all;
  {
    crm::cli::HumanOutput human(all, /*quiet=*/false);
    human.stream() << "Dumping database roles...\n";
  }
  EXPECT_EQ(all.str(), "Dumping database roles...\n");
}
