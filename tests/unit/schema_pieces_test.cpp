// Pure pieces of the roles/schema generators: the platform's role rules, setting values,
// commenting out, and the dependency order with its stable tie-break.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/catalog/catalog.hpp"
#include "engine/schema/role_filter.hpp"
#include "engine/schema/toposort.hpp"

using namespace crm::engine::schema;

TEST(RoleFilter, ReservedRolesFollowThePlatformList) {
  for (const char* r : {"anon", "authenticated", "authenticator", "cli_login_postgres", "dashboard_user", "pgbouncer",
                        "postgres", "service_role", "supabase_admin", "supabase_auth_admin", "pgsodium_keyholder",
                        "pgsodium_keyiduser", "pgsodium_keymaker", "pgtle_admin"})
    EXPECT_TRUE(is_reserved_role(r)) << r;
  for (const char* r : {"app_reader", "App Writer", "anon2", "my_postgres", "postgres ", "supabase", "cli_login",
                        "pgsodium_keymakers", "a\"; DROP TABLE x; --"})
    EXPECT_FALSE(is_reserved_role(r)) << r;
}

TEST(RoleFilter, AllowedConfigsOnReservedRoles) {
  for (const char* c : {"pgaudit.log", "pgrst.db_schemas", "session_replication_role", "statement_timeout",
                        "track_io_timing"})
    EXPECT_TRUE(is_allowed_reserved_config(c)) << c;
  for (const char* c : {"search_path", "lock_timeout", "pgrst", "statement_timeout_x", "log_statement"})
    EXPECT_FALSE(is_allowed_reserved_config(c)) << c;
}

TEST(RoleFilter, CommentOutPrefixesEveryLine) {
  EXPECT_EQ(comment_out("CREATE ROLE \"a\";"), "-- CREATE ROLE \"a\";");
  EXPECT_EQ(comment_out("A\nB\n"), "-- A\n-- B\n");
  EXPECT_EQ(comment_out("CREATE ROLE \"a\nb\";\n"), "-- CREATE ROLE \"a\n-- b\";\n");
}

TEST(RoleFilter, SettingValuesAreLiteralsAndListsAreSplit) {
  EXPECT_EQ(format_setting_value("statement_timeout", "3s"), "'3s'");
  EXPECT_EQ(format_setting_value("application_name", "it's"), "'it''s'");
  EXPECT_EQ(format_setting_value("pgrst.db_schemas", "public, graphql_public"), "'public, graphql_public'");
  EXPECT_EQ(format_setting_value("search_path", "\"$user\", public, extensions"), "'$user', 'public', 'extensions'");
  EXPECT_EQ(format_setting_value("search_path", "\"Odd Schema\", \"a\"\"b\""), "'Odd Schema', 'a\"b'");
  EXPECT_EQ(format_setting_value("search_path", ""), "''");
}

TEST(LeftOutSchemas, MatchTheSpecList) {
  using crm::engine::catalog::is_left_out_schema;
  for (const char* s : {"auth", "storage", "extensions", "pg_catalog", "pg_toast", "information_schema", "realtime",
                        "supabase_migrations", "timescaledb_information", "_timescaledb_cache", "vault", "graphql"})
    EXPECT_TRUE(is_left_out_schema(s)) << s;
  for (const char* s : {"public", "Odd Schema", "authx", "my_storage", "crm"}) EXPECT_FALSE(is_left_out_schema(s)) << s;
}

namespace {
SortKey key(int rank, const std::string& name) { return {rank, "public", name, ""}; }
}  // namespace

TEST(TopoSort, DependenciesFirstThenRankThenName) {
  // 0 table b, 1 table a, 2 function f (rank lower), 3 view v needs table b.
  std::vector<SortKey> keys = {key(7, "b"), key(7, "a"), key(4, "f"), key(8, "v")};
  auto r = topo_sort(keys, {{0, 3}});
  EXPECT_EQ(r.order, (std::vector<size_t>{2, 1, 0, 3}));
  EXPECT_TRUE(r.cycle_breaks.empty());
  // A table whose default calls a function of a higher rank waits for it.
  std::vector<SortKey> keys2 = {key(4, "f"), key(7, "t")};
  auto r2 = topo_sort(keys2, {{1, 0}});
  EXPECT_EQ(r2.order, (std::vector<size_t>{1, 0}));
}

TEST(TopoSort, IdenticalInputGivesIdenticalOrderWhateverTheEdgeOrder) {
  std::vector<SortKey> keys;
  for (int i = 0; i < 50; ++i) keys.push_back(key(i % 5, "n" + std::to_string((i * 37) % 50)));
  std::vector<std::pair<size_t, size_t>> edges;
  for (size_t i = 0; i + 7 < keys.size(); i += 3) edges.push_back({i + 7, i});
  auto a = topo_sort(keys, edges);
  std::reverse(edges.begin(), edges.end());
  edges.push_back(edges.front());  // a duplicate
  auto b = topo_sort(keys, edges);
  EXPECT_EQ(a.order, b.order);
  // Every edge is respected.
  std::vector<size_t> pos(keys.size());
  for (size_t i = 0; i < a.order.size(); ++i) pos[a.order[i]] = i;
  for (auto [before, after] : edges) EXPECT_LT(pos[before], pos[after]);
}

TEST(TopoSort, CyclesAreBrokenDeterministicallyAndReported) {
  std::vector<SortKey> keys = {key(1, "x"), key(1, "y"), key(1, "z")};
  auto r = topo_sort(keys, {{0, 1}, {1, 0}, {1, 2}, {2, 2}});
  ASSERT_EQ(r.order.size(), 3u);
  EXPECT_EQ(r.order, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(r.cycle_breaks, (std::vector<size_t>{0}));
  EXPECT_THROW(topo_sort(keys, {{0, 5}}), std::out_of_range);
}
