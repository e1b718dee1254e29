// Pieces of restoring state beyond the rows, without a server: which roles a statement needs
// (the platform check), the order-free digest of a relation's rows, REFRESH detection.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "engine/data/matviews.hpp"
#include "engine/data/row_set_hash.hpp"
#include "engine/restore/platform_check.hpp"

using namespace crm::engine;

namespace {

std::set<std::string> referenced(const std::string& sql, std::set<std::string>* created_out = nullptr) {
  std::set<std::string> ref, created;
  collect_role_references(sql, ref, created);
  if (created_out) *created_out = created;
  return ref;
}

}  // namespace

TEST(PlatformRoles, GranteesOwnersPolicyRolesAndDefaultPrivileges) {
  using S = std::set<std::string>;
  EXPECT_EQ(referenced(R"(GRANT ALL ON TABLE "public"."deals" TO "anon", "authenticated";)"), (S{"anon", "authenticated"}));
  EXPECT_EQ(referenced(R"(GRANT SELECT("id", "to") ON TABLE "public"."to" TO "Odd ""Role""" WITH GRANT OPTION;)"),
            (S{"Odd \"Role\""}));
  EXPECT_EQ(referenced(R"(REVOKE ALL ON FUNCTION "public"."f"(integer, text) FROM PUBLIC;)"), S{});
  EXPECT_EQ(referenced(R"(ALTER TABLE "public"."deals" OWNER TO "postgres";)"), S{"postgres"});
  EXPECT_EQ(referenced(R"(ALTER FUNCTION "public"."f"() OWNER TO supabase_admin;)"), S{"supabase_admin"});
  EXPECT_EQ(referenced(R"(CREATE POLICY "p" ON "storage"."objects" FOR SELECT TO "authenticated" USING (owner = 'to x');)"),
            S{"authenticated"});
  EXPECT_EQ(referenced(R"(CREATE POLICY "p" ON "public"."t" USING (true);)"), S{});
  EXPECT_EQ(referenced(R"(ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON TABLES TO "service_role";)"),
            (S{"postgres", "service_role"}));
  EXPECT_EQ(referenced(R"(GRANT "authenticated" TO "app_user" GRANTED BY "postgres";)"),
            (S{"authenticated", "app_user", "postgres"}));
  EXPECT_EQ(referenced(R"(REVOKE ADMIN OPTION FOR "anon" FROM "app_user";)"), (S{"anon", "app_user"}));
  std::set<std::string> created;
  EXPECT_EQ(referenced(R"(CREATE ROLE "app_user";)", &created), S{});
  EXPECT_EQ(created, S{"app_user"});
  EXPECT_EQ(referenced(R"(ALTER ROLE "app_user" WITH NOLOGIN;)"), S{"app_user"});
  // Names inside strings, dollar quotes and comments are not references.
  EXPECT_EQ(referenced("CREATE FUNCTION f() RETURNS void AS $$ GRANT x TO y; $$ LANGUAGE sql;"), S{});
  EXPECT_EQ(referenced("COMMENT ON TABLE t IS 'OWNER TO someone';"), S{});
  EXPECT_EQ(referenced("-- GRANT a TO b\nSELECT 1;"), S{});
}

TEST(RowSetDigest, SameRowsInAnyOrderAndChunkingGiveTheSameDigest) {
  RowSetHasher a, b, c;
  a.update("1\tone\n2\ttwo\n3\tthree\n");
  b.update("3\tthr");
  b.update("ee\n1\tone\n");
  b.update("2\ttwo\n");
  c.update("1\tone\n2\ttwo\n3\tthree\n3\tthree\n");
  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_EQ(a.digest().rows, 3u);
  EXPECT_NE(a.digest(), c.digest());  // a duplicate row counts
  RowSetHasher d;
  d.update("1\tone\n2\ttwo\n3\tthreE\n");
  EXPECT_EQ(d.digest().rows, 3u);
  EXPECT_NE(d.digest().xxh3_128_sum, a.digest().xxh3_128_sum);
  EXPECT_EQ(RowSetHasher().digest().xxh3_128_sum, std::string(32, '0'));
}

TEST(MatviewRefresh, RecognisesOnlyRefreshStatements) {
  EXPECT_TRUE(is_refresh_matview_statement("REFRESH MATERIALIZED VIEW \"public\".\"m\";"));
  EXPECT_TRUE(is_refresh_matview_statement("  refresh\nmaterialized  view m;"));
  EXPECT_FALSE(is_refresh_matview_statement("REFRESHX MATERIALIZED VIEW m;"));
  EXPECT_FALSE(is_refresh_matview_statement("CREATE MATERIALIZED VIEW m AS SELECT 1;"));
}
