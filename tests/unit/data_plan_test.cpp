// What data.sql holds and in which order, without a server: the spec's exclusions, the
// largest-first order with split tables as consecutive ctid ranges, and the framing text.
#include <gtest/gtest.h>

#include "engine/data/data_catalog.hpp"
#include "engine/data/data_format.hpp"
#include "engine/data/data_plan.hpp"

using namespace crm::engine;

TEST(DataCatalog, SpecExclusions) {
  for (const char* s : {"information_schema", "pg_catalog", "pg_toast", "pg_temp_3", "graphql", "graphql_public",
                        "pgsodium", "pgsodium_masks", "pgtle", "repack", "tiger", "tiger_data", "timescaledb_information",
                        "_timescaledb_internal", "topology", "vault", "etl", "extensions", "pgbouncer", "realtime",
                        "supabase_migrations", "_analytics", "_realtime", "_supavisor"})
    EXPECT_TRUE(is_excluded_data_schema(s)) << s;
  for (const char* s : {"public", "auth", "storage", "supabase_functions", "cron", "net", "app", "pgx", "Public"})
    EXPECT_FALSE(is_excluded_data_schema(s)) << s;
  EXPECT_TRUE(is_excluded_data_table("auth", "schema_migrations"));
  EXPECT_TRUE(is_excluded_data_table("storage", "migrations"));
  EXPECT_TRUE(is_excluded_data_table("supabase_functions", "migrations"));
  for (const char* t : {"buckets_vectors", "vector_indexes", "iceberg_namespaces", "iceberg_tables",
                        "buckets_analytics", "prefixes", "s3_multipart_uploads", "s3_multipart_uploads_parts"})
    EXPECT_TRUE(is_excluded_data_table("storage", t)) << t;
  EXPECT_FALSE(is_excluded_data_table("storage", "objects"));
  EXPECT_FALSE(is_excluded_data_table("storage", "buckets"));
  EXPECT_FALSE(is_excluded_data_table("public", "migrations"));
  EXPECT_FALSE(is_excluded_data_table("auth", "users"));
}

TEST(DataPlan, LargestFirstWithSplitTablesAsConsecutiveRanges) {
  std::vector<DataTable> tables(3);
  tables[0] = {1, "public", "small", "o", {"id"}, 8192, 8192, 8192, ""};
  tables[1] = {2, "public", "big", "o", {"id", "v"}, 8192 * 100, 8192 * 120, 8192, ""};
  tables[2] = {3, "auth", "users", "o", {"id"}, 8192, 8192, 8192, ""};
  DataPlan p = plan_data_dump(tables, 8192 * 30, true);
  EXPECT_EQ(p.table_order, (std::vector<size_t>{1, 2, 0}));  // size, then schema, name
  ASSERT_EQ(p.tasks.size(), 6u);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(p.tasks[i].table, 1u);
    EXPECT_EQ(p.tasks[i].part, i);
    EXPECT_EQ(p.tasks[i].parts, 4u);
  }
  EXPECT_EQ(p.tasks[0].sql,
            "COPY (SELECT \"id\", \"v\" FROM ONLY \"public\".\"big\" WHERE ctid < '(25,0)'::pg_catalog.tid) TO STDOUT");
  EXPECT_EQ(p.tasks[1].sql,
            "COPY (SELECT \"id\", \"v\" FROM ONLY \"public\".\"big\" WHERE ctid >= '(25,0)'::pg_catalog.tid AND "
            "ctid < '(50,0)'::pg_catalog.tid) TO STDOUT");
  EXPECT_EQ(p.tasks[3].sql,
            "COPY (SELECT \"id\", \"v\" FROM ONLY \"public\".\"big\" WHERE ctid >= '(75,0)'::pg_catalog.tid) TO STDOUT");
  EXPECT_EQ(p.tasks[4].sql, "COPY \"auth\".\"users\" (\"id\") TO STDOUT");
  // Without TID range scans (PostgreSQL < 14) or one worker, nothing is split.
  EXPECT_EQ(plan_data_dump(tables, 8192 * 30, false).tasks.size(), 3u);
}

TEST(DataPlan, ExtensionConfigurationFilterIsApplied) {
  std::vector<DataTable> tables(1);
  tables[0] = {1, "cron", "job", "o", {"jobid"}, 8192, 8192, 8192, "WHERE username <> 'x'"};
  DataPlan p = plan_data_dump(tables, 1 << 20, true);
  EXPECT_EQ(p.tasks[0].sql, "COPY (SELECT \"jobid\" FROM ONLY \"cron\".\"job\" WHERE ( username <> 'x')) TO STDOUT");
}

TEST(DataFormat, FramingQuotesEverythingAndKeepsNamesInsideComments) {
  EXPECT_EQ(copy_block_header("public", "contactNotes", "postgres", {"id", "text"}),
            "--\n-- Data for Name: contactNotes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\n"
            "COPY \"public\".\"contactNotes\" (\"id\", \"text\") FROM stdin;\n");
  std::string evil = copy_block_header("s", "a\n; DROP TABLE x; --\"", "o", {});
  std::string comment = evil.substr(0, evil.find("COPY "));
  EXPECT_EQ(comment.find("\n; DROP"), std::string::npos) << comment;  // the newline stays inside the comment
  EXPECT_NE(comment.find("-- Data for Name: a ; DROP TABLE x; --\"; Type"), std::string::npos) << comment;
  EXPECT_NE(evil.find("COPY \"s\".\"a\n; DROP TABLE x; --\"\"\"  FROM stdin;\n"), std::string::npos);
  EXPECT_EQ(sequence_setval("public", "it's", "o", "42", true).substr(sequence_setval("public", "it's", "o", "42", true).find("SELECT")),
            "SELECT pg_catalog.setval('\"public\".\"it''s\"', 42, true);\n\n\n");
  EXPECT_THROW(sequence_setval("public", "s", "o", "1); DROP TABLE x; --", true), std::runtime_error);
  EXPECT_EQ(data_file_header("15.4").rfind("SET session_replication_role = replica;\n\n", 0), 0u);
  EXPECT_TRUE(std::string(data_file_trailer()).ends_with("\nRESET ALL;\n"));
  EXPECT_EQ(copy_block_footer(), "\\.\n\n\n");
}
