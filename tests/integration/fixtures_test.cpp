// The fixtures against a real PostgreSQL 15: the platform stand-in loads into several databases
// of one cluster, the CRM schema replays on top, and the seeded generator fills every table
// with FK-consistent, awkward, reproducible rows whose sequences continue past the data.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "fixtures/sandbox/fixture_loader.hpp"
#include "tests/support/db_compare.hpp"

using namespace crm;

namespace {

constexpr double kScaleMb = 2.0;

class FixturesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = sandbox::PgCluster::start().release();
    for (const char* db : {"fx_a", "fx_b", "fx_c", "fx_empty"}) cluster_->create_database(db);
    auto t0 = std::chrono::steady_clock::now();
    try {
      // Three databases of one cluster: roles already exist for the second and third.
      for (const char* db : {"fx_a", "fx_b", "fx_c", "fx_empty"}) sandbox::load_platform(*cluster_, db);
      auto t1 = std::chrono::steady_clock::now();
      for (const char* db : {"fx_a", "fx_b", "fx_c", "fx_empty"}) sandbox::load_crm_schema(*cluster_, db);
      auto t2 = std::chrono::steady_clock::now();
      gen_a_ = sandbox::generate_crm_data(*cluster_, "fx_a", kScaleMb, 7);
      gen_b_ = sandbox::generate_crm_data(*cluster_, "fx_b", kScaleMb, 7);
      gen_c_ = sandbox::generate_crm_data(*cluster_, "fx_c", kScaleMb, 8);
      auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
      std::printf("[timing] platform.sql x4: %.2f s, crm-schema.sql x4: %.2f s, generator: %.1f MB in %.2f s "
                  "(%.1f MB/s)\n",
                  secs(t0, t1), secs(t1, t2), gen_a_.total_bytes / 1e6, gen_a_.seconds,
                  gen_a_.total_bytes / 1e6 / gen_a_.seconds);
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "loading the fixtures failed"; }

  static std::string q(const std::string& sql, const std::string& db = "fx_a") {
    std::string out = cluster_->psql(sql, db);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  static long long n(const std::string& sql, const std::string& db = "fx_a") { return std::stoll(q(sql, db)); }

  static sandbox::PgCluster* cluster_;
  static std::string setup_error_;
  static fixtures::GenSummary gen_a_, gen_b_, gen_c_;
};
sandbox::PgCluster* FixturesTest::cluster_ = nullptr;
std::string FixturesTest::setup_error_;
fixtures::GenSummary FixturesTest::gen_a_, FixturesTest::gen_b_, FixturesTest::gen_c_;

const char* const kCrmTables[] = {"companies", "contacts", "\"contactNotes\"", "deals", "\"dealNotes\"",
                                  "tasks", "sales", "tags", "configuration", "favicons_excluded_domains"};

}  // namespace

TEST_F(FixturesTest, PlatformRolesHaveTheirAttributesAndMemberships) {
  EXPECT_EQ(q("SELECT rolname || ':' || rolcanlogin::int || rolinherit::int || rolbypassrls::int || rolsuper::int FROM pg_roles "
              "WHERE rolname IN ('anon','service_role','authenticator','supabase_admin','supabase_auth_admin') "
              "ORDER BY 1"),
            "anon:0000\nauthenticator:1000\nservice_role:0010\nsupabase_admin:1111\nsupabase_auth_admin:1000");
  EXPECT_EQ(q("SELECT string_agg(r.rolname, ',' ORDER BY r.rolname) FROM pg_auth_members m "
              "JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'authenticator'"),
            "anon,authenticated,service_role");
  EXPECT_EQ(n("SELECT count(*) FROM pg_auth_members WHERE admin_option"), 5);
  EXPECT_EQ(q("SELECT array_to_string(rolconfig, ';') FROM pg_roles WHERE rolname = 'anon'"), "statement_timeout=3s");
  // The per-database setting exists once per database the platform was loaded into (other
  // tests load it into databases of their own: only the four loaded above are counted).
  EXPECT_EQ(q("SELECT string_agg(d.datname || ':' || (SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r "
              "ON r.oid = s.setrole WHERE r.rolname = 'authenticated' AND s.setdatabase = d.oid), ',' "
              "ORDER BY d.datname) FROM pg_database d WHERE d.datname IN ('fx_a','fx_b','fx_c','fx_empty')"),
            "fx_a:1,fx_b:1,fx_c:1,fx_empty:1");
}

TEST_F(FixturesTest, PlatformSchemasExistInEveryDatabase) {
  for (const char* db : {"fx_a", "fx_b", "fx_c", "fx_empty"}) {
    EXPECT_EQ(q("SELECT string_agg(extname || '@' || extnamespace::regnamespace::text, ',' ORDER BY extname) "
                "FROM pg_extension WHERE extname <> 'plpgsql'", db),
              "pg_trgm@extensions,pgcrypto@extensions,uuid-ossp@extensions");
    EXPECT_EQ(q("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'auth.users'::regclass", db),
              "supabase_auth_admin");
    EXPECT_EQ(q("SELECT relowner::regrole::text || ' ' || relrowsecurity::int FROM pg_class "
                "WHERE oid = 'storage.objects'::regclass", db),
              "supabase_storage_admin 1");
    EXPECT_EQ(n("SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'storage' "
                "AND c.relname IN ('buckets','objects','migrations','s3_multipart_uploads','s3_multipart_uploads_parts',"
                "'prefixes','buckets_analytics','buckets_vectors','vector_indexes','iceberg_namespaces','iceberg_tables')",
                db),
              11);
    EXPECT_EQ(q("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'auth.users'::regclass AND attname = 'confirmed_at'", db), "s");
    EXPECT_EQ(n("SELECT count(*) FROM pg_publication WHERE pubname = 'supabase_realtime'", db), 1);
    EXPECT_EQ(n("SELECT count(*) FROM pg_default_acl", db), 8);
  }
}

TEST_F(FixturesTest, CrmSchemaHasTheObjectsADumpMustCarry) {
  EXPECT_EQ(n("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
              "AND NOT relrowsecurity"),
            0);
  EXPECT_EQ(q("SELECT string_agg(relname || '=' || array_to_string(reloptions, ','), ' ' ORDER BY relname) FROM pg_class "
              "WHERE relnamespace = 'public'::regnamespace AND relkind = 'v'"),
            "companies_summary=security_invoker=on contacts_summary=security_invoker=on init_state=security_invoker=on");
  EXPECT_EQ(q("SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'auth.users'::regclass AND NOT tgisinternal"),
            "on_auth_user_created,on_auth_user_updated");
  EXPECT_EQ(n("SELECT count(*) FROM pg_policies WHERE schemaname = 'storage' AND tablename = 'objects'"), 4);
  EXPECT_EQ(n("SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND permissive = 'RESTRICTIVE'"), 1);
  EXPECT_EQ(q("SELECT prosecdef::int || ' ' || array_to_string(proconfig, ',') FROM pg_proc WHERE oid = 'public.handle_new_user()'::regprocedure"),
            "1 search_path=\"\"");
  EXPECT_EQ(n("SELECT count(*) FROM pg_attribute WHERE attrelid IN ('public.companies'::regclass, 'public.contacts'::regclass) "
              "AND attidentity = 'd'"),
            2);
  EXPECT_EQ(q("SELECT pg_get_serial_sequence('public.favicons_excluded_domains', 'id')"),
            "public.favicons_excluded_domains_id_seq");
  EXPECT_EQ(n("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.sales'::regclass AND attacl IS NOT NULL"), 4);
  EXPECT_EQ(q("SELECT id || ' ' || public::int FROM storage.buckets"), "attachments 1");
  EXPECT_EQ(n("SELECT count(*) FROM supabase_migrations.schema_migrations"), 7);
  auto idx = q("SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'");
  EXPECT_NE(idx.find("gin_trgm_ops"), std::string::npos) << idx;
  EXPECT_NE(idx.find("USING gin (tags)"), std::string::npos) << idx;
  EXPECT_NE(idx.find("lower(email)"), std::string::npos) << idx;
  EXPECT_NE(idx.find("WHERE (done_date IS NULL)"), std::string::npos) << idx;
}

TEST_F(FixturesTest, GeneratorFillsEveryTableAtAboutTheRequestedSize) {
  for (const char* t : kCrmTables)
    EXPECT_GT(n(std::string("SELECT count(*) FROM public.") + t), 0) << t;
  for (const char* t : {"auth.users", "auth.identities", "auth.sessions", "auth.refresh_tokens", "auth.audit_log_entries",
                        "auth.instances", "storage.buckets", "storage.objects"})
    EXPECT_GT(n(std::string("SELECT count(*) FROM ") + t), 0) << t;
  EXPECT_GT(gen_a_.total_bytes, 0.7 * kScaleMb * 1e6);
  EXPECT_LT(gen_a_.total_bytes, 1.4 * kScaleMb * 1e6);
  // Summary counts are what the server holds.
  for (const auto& t : gen_a_.tables)
    EXPECT_EQ(n("SELECT count(*) FROM " + t.table), static_cast<long long>(t.rows)) << t.table;
  // The left-out tables keep only the platform's rows; the storage system tables stay empty.
  EXPECT_EQ(n("SELECT count(*) FROM auth.schema_migrations"), 12);
  EXPECT_EQ(n("SELECT count(*) FROM storage.migrations"), 7);
  EXPECT_EQ(n("SELECT (SELECT count(*) FROM storage.prefixes) + (SELECT count(*) FROM storage.s3_multipart_uploads)"), 0);
  // Every user has a sales row (the auth trigger did not fire during the load: exactly one).
  EXPECT_EQ(n("SELECT count(*) FROM auth.users u LEFT JOIN public.sales s ON s.user_id = u.id WHERE s.id IS NULL"), 0);
  EXPECT_EQ(n("SELECT count(*) FROM auth.users"), n("SELECT count(*) FROM public.sales"));
}

// The generator drops and re-creates secondary indexes around the load: the schema it leaves
// must be exactly the one crm-schema.sql made (pg_dump of a data-less twin as the oracle).
TEST_F(FixturesTest, GeneratorLeavesTheSchemaAsItFoundIt) {
  auto schema_dump = [](const std::string& db) {
    std::string out = cluster_->pg_dump({"--schema-only"}, db), kept;
    size_t pos = 0;
    while (pos < out.size()) {
      size_t nl = out.find('\n', pos);
      if (nl == std::string::npos) nl = out.size();
      std::string_view line(out.data() + pos, nl - pos);
      // \restrict carries a random key per run (pg_dump >= 15.14).
      if (!line.starts_with("\\restrict") && !line.starts_with("\\unrestrict")) {
        kept.append(line);
        kept.push_back('\n');
      }
      pos = nl + 1;
    }
    return kept;
  };
  std::string empty = schema_dump("fx_empty");
  EXPECT_GT(empty.size(), 10000u);
  EXPECT_EQ(schema_dump("fx_a"), empty);
}

TEST_F(FixturesTest, RowsAreForeignKeyConsistentAndAttachmentsMatchStorageObjects) {
  // Re-adding every foreign key validates all rows (the load ran without FK triggers).
  cluster_->psql(R"SQL(
    BEGIN;
    DO $$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT conrelid::regclass AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
               WHERE contype = 'f' AND connamespace::regnamespace::text IN ('public', 'auth', 'storage')
      LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl, r.conname, r.def);
      END LOOP;
    END $$;
    ROLLBACK;)SQL", "fx_a");
  const char* note_atts =
      "SELECT a FROM public.\"contactNotes\" n, unnest(n.attachments) a WHERE a IS NOT NULL "
      "UNION ALL SELECT a FROM public.\"dealNotes\" n, unnest(n.attachments) a WHERE a IS NOT NULL";
  EXPECT_EQ(n(std::string("SELECT count(*) FROM (") + note_atts + ") x"), n("SELECT count(*) FROM storage.objects"));
  EXPECT_EQ(n(std::string("SELECT count(*) FROM (") + note_atts +
              ") x WHERE NOT EXISTS (SELECT 1 FROM storage.objects o WHERE o.bucket_id = 'attachments' "
              "AND o.name = x.a ->> 'path') OR x.a ->> 'src' NOT LIKE 'http://127.0.0.1:54321/storage/v1/object/public/attachments/%'"),
            0);
  EXPECT_EQ(n("SELECT count(*) FROM storage.objects o LEFT JOIN auth.users u ON u.id = o.owner WHERE u.id IS NULL"), 0);
  // The file list for a Storage test server matches the rows, in the same order.
  auto files = fixtures::list_attachments(kScaleMb, 7);
  std::string listed;
  for (const auto& f : files) listed += f.key + "|" + f.content_type + "|" + std::to_string(f.size) + "\n";
  std::string rows = q("SELECT string_agg(name || '|' || (metadata ->> 'mimetype') || '|' || (metadata ->> 'size'), "
                       "E'\\n' ORDER BY ctid) FROM storage.objects") + "\n";
  EXPECT_EQ(listed, rows);
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(fixtures::attachment_content(7, files[0].key, files[0].size).size(), files[0].size);
  EXPECT_EQ(fixtures::attachment_content(7, files[0].key, 1000), fixtures::attachment_content(7, files[0].key, 1000));
  EXPECT_NE(fixtures::attachment_content(7, files[0].key, 1000), fixtures::attachment_content(8, files[0].key, 1000));
  // Storage keys respect the server's key rule.
  EXPECT_EQ(n("SELECT count(*) FROM storage.objects WHERE name !~ '^[A-Za-z0-9_/!.*''() &$=@;:+,?-]*$'"), 0);
}

TEST_F(FixturesTest, SameSeedGivesIdenticalContentsAndAnotherSeedDoesNot) {
  const std::string schemas = "^(public|auth|storage)$";
  auto a = testsupport::table_checksums(*cluster_, "fx_a", schemas);
  auto b = testsupport::table_checksums(*cluster_, "fx_b", schemas);
  auto c = testsupport::table_checksums(*cluster_, "fx_c", schemas);
  ASSERT_GE(a.size(), 20u);
  EXPECT_EQ(testsupport::diff_maps(a, b), "");
  for (const char* t : {"public.contacts", "public.contactNotes", "public.deals", "auth.users", "storage.objects"}) {
    ASSERT_TRUE(a.count(t)) << t;
    EXPECT_NE(a.at(t), c.at(t)) << t;
  }
  EXPECT_EQ(gen_a_.total_bytes, gen_b_.total_bytes);
  EXPECT_NE(gen_a_.total_bytes, gen_c_.total_bytes);
}

TEST_F(FixturesTest, AwkwardValuesArePresent) {
  auto notes_with = [&](const std::string& cond) {
    return n("SELECT count(*) FROM public.\"contactNotes\" WHERE " + cond);
  };
  EXPECT_GT(notes_with("strpos(text, E'\\\\') > 0"), 0) << "backslash";
  EXPECT_GT(notes_with("strpos(text, E'\\t') > 0"), 0) << "tab";
  EXPECT_GT(notes_with("strpos(text, E'\\n') > 0"), 0) << "newline";
  EXPECT_GT(notes_with("strpos(text, E'\\r') > 0"), 0) << "carriage return";
  EXPECT_GT(notes_with("strpos(text, E'\\n\\\\.\\n') > 0"), 0) << "\\. alone on a line";
  EXPECT_GT(notes_with("strpos(text, E'\\\\N') > 0"), 0) << "the text \\N";
  EXPECT_GT(notes_with("strpos(text, '🚀') > 0"), 0) << "emoji";
  EXPECT_GT(notes_with("strpos(text, '日本語') > 0"), 0) << "CJK";
  EXPECT_GT(notes_with("text IS NULL"), 0);
  EXPECT_GT(notes_with("text = ''"), 0);
  EXPECT_GT(notes_with("attachments IS NULL"), 0);
  EXPECT_GT(notes_with("attachments = '{}'"), 0);
  EXPECT_GT(notes_with("array_position(attachments, NULL) IS NOT NULL"), 0) << "jsonb[] with a NULL element";
  EXPECT_GT(notes_with("octet_length(attachments::text) > 20000"), 0) << "large jsonb";
  EXPECT_GT(n("SELECT count(*) FROM public.contacts WHERE array_position(tags, NULL) IS NOT NULL"), 0);
  EXPECT_GT(n("SELECT count(*) FROM public.contacts WHERE octet_length(first_name) > length(first_name)"), 0);
  EXPECT_GT(n("SELECT count(*) FROM public.contacts WHERE last_name LIKE '%''%'"), 0) << "apostrophe";
  EXPECT_GT(n("SELECT count(*) FROM public.contacts WHERE background = ''"), 0);
  EXPECT_GT(n("SELECT count(*) FROM public.deals WHERE amount IS NOT NULL AND amount <> trunc(amount)"), 0);
  EXPECT_EQ(n("SELECT count(*) FROM auth.users WHERE banned_until = 'infinity'"), 1);
  EXPECT_EQ(n("SELECT count(*) FROM auth.users WHERE encrypted_password !~ '^\\$2a\\$10\\$[./A-Za-z0-9]{53}$'"), 0);
  EXPECT_GT(n("SELECT count(*) FROM public.tags WHERE name LIKE '%\"%' OR strpos(name, E'\\\\') > 0"), 1);
}

TEST_F(FixturesTest, SequencesContinuePastTheGeneratedIds) {
  // fx_c only: the checksum comparison uses fx_a and fx_b.
  for (const char* t : {"companies", "contacts", "deals", "tags", "favicons_excluded_domains", "tasks"}) {
    long long max_id = n(std::string("SELECT max(id) FROM public.") + t, "fx_c");
    std::string insert;
    if (std::string(t) == "companies") insert = "INSERT INTO public.companies (name) VALUES ('New Co')";
    if (std::string(t) == "contacts") insert = "INSERT INTO public.contacts (first_name) VALUES ('New')";
    if (std::string(t) == "deals") insert = "INSERT INTO public.deals (name, stage) VALUES ('New deal', 'opportunity')";
    if (std::string(t) == "tags") insert = "INSERT INTO public.tags (name, color) VALUES ('new', '#000000')";
    if (std::string(t) == "favicons_excluded_domains")
      insert = "INSERT INTO public.favicons_excluded_domains (domain) VALUES ('new.example')";
    if (std::string(t) == "tasks") insert = "INSERT INTO public.tasks (contact_id, due_date) VALUES (1, now())";
    EXPECT_EQ(n(insert + " RETURNING id", "fx_c"), max_id + 1) << t;
  }
  long long max_note = n("SELECT max(id) FROM public.\"contactNotes\"", "fx_c");
  EXPECT_EQ(n("INSERT INTO public.\"contactNotes\" (contact_id, text) VALUES (1, 'x') RETURNING id", "fx_c"), max_note + 1);
  long long max_tok = n("SELECT max(id) FROM auth.refresh_tokens", "fx_c");
  EXPECT_EQ(n("INSERT INTO auth.refresh_tokens (token) VALUES ('fresh-token') RETURNING id", "fx_c"), max_tok + 1);
}

TEST_F(FixturesTest, GeneratorRefusesAFilledDatabaseOrOneWithoutTheSchema) {
  try {
    sandbox::generate_crm_data(*cluster_, "fx_b", 1, 7);
    ADD_FAILURE() << "generating twice into one database must fail";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("already holds"), std::string::npos) << e.what();
  }
  cluster_->create_database("fx_bare");
  try {
    sandbox::generate_crm_data(*cluster_, "fx_bare", 1, 7);
    ADD_FAILURE() << "a database without the CRM schema must be refused";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("platform.sql"), std::string::npos) << e.what();
  }
  // A COPY the server rejects names its table, and nothing is committed.
  cluster_->create_database("fx_reject");
  sandbox::load_platform(*cluster_, "fx_reject");
  sandbox::load_crm_schema(*cluster_, "fx_reject");
  cluster_->psql("ALTER TABLE public.tasks ADD CONSTRAINT no_tasks CHECK (false)", "fx_reject");
  try {
    sandbox::generate_crm_data(*cluster_, "fx_reject", 1, 7);
    ADD_FAILURE() << "a rejected COPY must fail the generation";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("COPY public.tasks"), std::string::npos) << e.what();
  }
  EXPECT_EQ(n("SELECT count(*) FROM auth.users", "fx_reject"), 0);
  EXPECT_EQ(n("SELECT count(*) FROM public.contacts", "fx_reject"), 0);
}
