// pgwire against a real PostgreSQL 15: COPY bytes equal psql's, errors carry SQLSTATE, a
// dropped connection is an error and never a short read taken for success.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "pgwire/connection.hpp"
#include "pgwire/quote.hpp"
#include "pgwire/snapshot.hpp"
#include "fixtures/sandbox/pg_cluster.hpp"

using namespace crm;

namespace {

class PgwireTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = sandbox::PgCluster::start().release();
    cluster_->psql(R"SQL(
      CREATE TABLE awkward (
        id int PRIMARY KEY, t text, b bytea, arr int[], tarr text[], j jsonb, f float8, n numeric,
        ts timestamptz, d date, iv interval, u uuid, bo boolean, ip inet, r int4range);
      INSERT INTO awkward VALUES
        (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (2, '', '\x00ff00'::bytea, '{1,NULL,3}', '{"a b",NULL,"c\"d",""}', '{"k":"v\n\t\\"}',
         'NaN', 'NaN', 'infinity', '-infinity', '1 day 02:03:04', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
         true, '10.0.0.1/8', '[1,5)'),
        (3, E'tab\there\nnewline\\backslash\r', '\x'::bytea, '{}', '{}', '[]', '-Infinity', '1e-30',
         '2024-01-15 14:30:22.123456+00', '2024-02-29', '-1 year', NULL, false, '::1', 'empty'),
        (4, E'\\.', NULL, NULL, NULL, NULL, 1.5e300, 12345678901234567890.123456789, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL),
        (5, 'ünïcödé ✓ 日本語 🚀', NULL, NULL, NULL, NULL, 0.1, -0, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
      INSERT INTO awkward (id, t) SELECT 100 + g, repeat('x', 3000000) FROM generate_series(1, 2) g;
      CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 200000) g;
    )SQL");
  }
  static void TearDownTestSuite() { delete cluster_; }
  static pg::Connection connect() { return pg::Connection::open({.target = cluster_->url()}); }
  static sandbox::PgCluster* cluster_;
};
sandbox::PgCluster* PgwireTest::cluster_ = nullptr;

}  // namespace

TEST_F(PgwireTest, ConnectsWithApplicationNameAndReportsServerVersion) {
  auto c = connect();
  EXPECT_GE(c.server_version(), 150000);
  EXPECT_LT(c.server_version(), 160000);
  EXPECT_EQ(c.exec("SHOW application_name").get(0, 0), "crmbackup-native");
  EXPECT_EQ(c.database(), "postgres");
}

TEST_F(PgwireTest, CopyOutBytesEqualPsql) {
  auto c = connect();
  std::string ours;
  auto stats = c.copy_out("COPY public.awkward TO STDOUT", [&](std::string_view chunk) { ours.append(chunk); },
                          4096);
  std::string theirs = cluster_->run_psql({"-c", "COPY public.awkward TO STDOUT"}, "postgres").out;
  EXPECT_EQ(stats.rows, 7u);
  EXPECT_EQ(stats.bytes, ours.size());
  ASSERT_EQ(ours.size(), theirs.size());
  EXPECT_TRUE(ours == theirs);
}

TEST_F(PgwireTest, CopyOutChunksEndOnRowBoundaries) {
  auto c = connect();
  size_t chunks = 0, total = 0;
  c.copy_out("COPY public.big TO STDOUT", [&](std::string_view chunk) {
    ++chunks;
    total += chunk.size();
    ASSERT_EQ(chunk.back(), '\n');
  }, 64 * 1024);
  EXPECT_GT(chunks, 10u);
  EXPECT_EQ(cluster_->run_psql({"-c", "COPY public.big TO STDOUT"}, "postgres").out.size(), total);
}

TEST_F(PgwireTest, CopyInRoundTripsTheSameBytes) {
  auto c = connect();
  std::string payload;
  c.copy_out("COPY public.awkward TO STDOUT", [&](std::string_view chunk) { payload.append(chunk); });
  c.exec("CREATE TEMP TABLE awkward_copy (LIKE public.awkward)");
  size_t pos = 0;
  auto rows = c.copy_in("COPY awkward_copy FROM STDIN", [&](char* buf, size_t cap) {
    size_t n = std::min<size_t>(std::min<size_t>(cap, 1000), payload.size() - pos);
    std::memcpy(buf, payload.data() + pos, n);
    pos += n;
    return n;
  });
  EXPECT_EQ(rows, 7u);
  std::string again;
  c.copy_out("COPY awkward_copy TO STDOUT", [&](std::string_view chunk) { again.append(chunk); });
  EXPECT_TRUE(again == payload);
}

TEST_F(PgwireTest, CopyInBadRowFailsWithServerDiagnostics) {
  auto c = connect();
  c.exec("CREATE TEMP TABLE ints (i int)");
  c.copy_in_begin("COPY ints FROM STDIN");
  c.copy_in_put("1\nnot-a-number\n");
  try {
    c.copy_in_end();
    FAIL() << "expected an error";
  } catch (const pg::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "22P02");
    EXPECT_NE(e.context().find("COPY ints, line 2"), std::string::npos) << e.context();
  }
}

TEST_F(PgwireTest, ErrorsCarrySqlstateDetailAndHint) {
  auto c = connect();
  try {
    c.exec("SELECT * FROM no_such_table");
    FAIL();
  } catch (const pg::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos);
    EXPECT_GT(e.position(), 0);
    EXPECT_FALSE(e.connection_lost());
  }
  c.exec("CREATE TEMP TABLE u (i int UNIQUE)");
  c.exec("INSERT INTO u VALUES (1)");
  try {
    c.exec("INSERT INTO u VALUES (1)");
    FAIL();
  } catch (const pg::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_NE(e.detail().find("already exists"), std::string::npos);
  }
  try {
    c.exec("DO $$BEGIN RAISE EXCEPTION 'boom' USING HINT = 'try again', ERRCODE = 'P0001'; END$$");
    FAIL();
  } catch (const pg::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "P0001");
    EXPECT_EQ(e.hint(), "try again");
  }
}

TEST_F(PgwireTest, WrongPasswordAndDatabaseAreClearErrorsWithoutThePassword) {
  try {
    pg::Connection::open({.target = cluster_->url("postgres", "postgres", "wrong-s3cret")});
    FAIL();
  } catch (const pg::PgError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("password authentication failed"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("wrong-s3cret"), std::string::npos) << msg;
  }
  EXPECT_THROW(pg::Connection::open({.target = cluster_->url("no_such_db")}), pg::PgError);
}

TEST_F(PgwireTest, TerminatedBackendDuringCopyIsAnErrorNotAShortRead) {
  auto victim = connect();
  auto killer = connect();
  int pid = static_cast<int>(victim.exec("SELECT pg_backend_pid()").get_int(0, "pg_backend_pid"));
  size_t received = 0;
  bool killed = false;
  try {
    victim.copy_out("COPY (SELECT g, repeat('y', 200) FROM generate_series(1, 5000000) g) TO STDOUT",
                    [&](std::string_view chunk) {
                      received += chunk.size();
                      if (!killed) {
                        killed = true;
                        killer.exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
                      }
                    }, 64 * 1024);
    FAIL() << "a terminated COPY must throw, got " << received << " bytes";
  } catch (const pg::PgError& e) {
    EXPECT_TRUE(e.connection_lost() || e.sqlstate() == "57P01") << e.what() << " / " << e.sqlstate();
  }
  EXPECT_TRUE(killed);
}

TEST_F(PgwireTest, CancelledCopyIsAnError) {
  auto c = connect();
  bool cancelled = false;
  try {
    c.copy_out("COPY (SELECT g, repeat('z', 100) FROM generate_series(1, 5000000) g) TO STDOUT",
               [&](std::string_view) {
                 if (!cancelled) {
                   cancelled = true;
                   c.cancel();
                 }
               }, 64 * 1024);
    FAIL();
  } catch (const pg::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "57014") << e.what();
  }
}

TEST_F(PgwireTest, ExportedSnapshotIsSharedAcrossConnections) {
  auto setup = connect();
  setup.exec("CREATE TABLE snap (i int)");
  auto coord = connect();
  std::string id = pg::begin_exported_snapshot(coord);
  setup.exec("INSERT INTO snap VALUES (1)");  // committed after the snapshot
  auto worker = connect();
  pg::begin_with_snapshot(worker, id);
  EXPECT_EQ(worker.exec("SELECT count(*) FROM snap").get_int(0, "count"), 0);
  EXPECT_EQ(setup.exec("SELECT count(*) FROM snap").get_int(0, "count"), 1);
}

TEST_F(PgwireTest, TransactionGuardRollsBackUnlessCommitted) {
  auto c = connect();
  c.exec("CREATE TABLE tx (i int)");
  {
    pg::Transaction t(c);
    c.exec("INSERT INTO tx VALUES (1)");
  }
  EXPECT_EQ(c.exec("SELECT count(*) FROM tx").get_int(0, "count"), 0);
  {
    pg::Transaction t(c);
    c.exec("INSERT INTO tx VALUES (2)");
    t.commit();
  }
  EXPECT_EQ(c.exec("SELECT count(*) FROM tx").get_int(0, "count"), 1);
}

TEST_F(PgwireTest, ParamsAreSentOutOfBand) {
  auto c = connect();
  auto r = c.exec_params("SELECT $1::text AS a, $2::text IS NULL AS b", {std::string("x'; DROP TABLE big; --"), std::nullopt});
  EXPECT_EQ(r.get(0, "a"), "x'; DROP TABLE big; --");
  EXPECT_TRUE(r.get_bool(0, "b"));
}
