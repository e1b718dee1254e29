// The SQL splitter that restore runs every byte of roles.sql, schema.sql and data.sql through:
// MB/s on generated pg_dump-style scripts, one statement-heavy (schema: functions with dollar
// quotes, comments, policies, E-strings) and one COPY-heavy (data). Run:
// build-bench/bench/crm_micro_bench --benchmark_filter=SqlSplitter
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <string>

#include "pgwire/script/byte_source.hpp"
#include "pgwire/script/sql_splitter.hpp"

namespace {

std::string schema_script(size_t target_bytes) {
  std::string out =
      "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\n"
      "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
      "SELECT pg_catalog.set_config('search_path', '', false);\n\n";
  for (int i = 0; out.size() < target_bytes; ++i) {
    out += fmt::format(
        "--\n-- Name: contacts_{0}; Type: TABLE; Schema: public; Owner: postgres\n--\n\n"
        "CREATE TABLE \"public\".\"contacts_{0}\" (\n    \"id\" bigint NOT NULL,\n"
        "    \"first_name\" \"text\",\n    \"email_jsonb\" \"jsonb\" DEFAULT '[]'::\"jsonb\",\n"
        "    \"note\" \"text\" DEFAULT E'it''s a \\\\ note; really',\n"
        "    CONSTRAINT \"c_{0}\" CHECK ((\"id\" > 0))\n);\n\n"
        "ALTER TABLE \"public\".\"contacts_{0}\" OWNER TO \"postgres\";\n\n"
        "CREATE FUNCTION \"public\".\"f_{0}\"() RETURNS \"trigger\"\n    LANGUAGE \"plpgsql\" SECURITY DEFINER\n"
        "    AS $$\nBEGIN\n  -- a comment with a ; and a 'quote\n  NEW.note := 'x; y' || $q$;$q$;\n"
        "  /* nested /* comment */ ; */\n  RETURN NEW;\nEND;\n$$;\n\n"
        "COMMENT ON TABLE \"public\".\"contacts_{0}\" IS 'Contacts; people at companies ({0})';\n\n"
        "CREATE POLICY \"p_{0}\" ON \"public\".\"contacts_{0}\" TO \"authenticated\" USING ((\"auth\".\"uid\"() IS NOT NULL));\n\n"
        "CREATE INDEX \"contacts_{0}_fts\" ON \"public\".\"contacts_{0}\" USING \"gin\" (\"to_tsvector\"('\"simple\"'::\"regconfig\", \"first_name\"));\n\n",
        i);
  }
  return out;
}

std::string data_script(size_t target_bytes) {
  std::string out = "SET session_replication_role = replica;\nSET standard_conforming_strings = on;\n\n";
  for (int t = 0; out.size() < target_bytes; ++t) {
    out += fmt::format("--\n-- Data for Name: t{0}; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\n"
                       "COPY \"public\".\"t{0}\" (\"id\", \"name\", \"created_at\", \"payload\") FROM stdin;\n",
                       t);
    for (int i = 0; i < 20000 && out.size() < target_bytes; ++i) {
      out += fmt::format("{}\tContact {} O'Neil \\\\ Zoë\t2024-01-{:02} 12:34:56+00\t{{\"email\": \"u{}@example.com\", \"type\": \"Work\"}}\n",
                         i, i, 1 + i % 28, i);
    }
    out += "\\.\n\n\n";
    out += fmt::format("SELECT pg_catalog.setval('\"public\".\"t{0}_id_seq\"', {1}, true);\n\n", t, 20000);
  }
  return out;
}

void run_splitter(benchmark::State& state, const std::string& script) {
  std::uint64_t events = 0;
  for (auto _ : state) {
    crm::pg::MemorySource src(script);
    crm::pg::SqlSplitter sp(src, "bench.sql");
    crm::pg::ScriptEvent ev;
    while (sp.next(ev)) {
      ++events;
      benchmark::DoNotOptimize(ev.text.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(script.size() * state.iterations()));
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}

void BM_SqlSplitterSchema(benchmark::State& state) {
  static const std::string script = schema_script(16 << 20);
  run_splitter(state, script);
}
BENCHMARK(BM_SqlSplitterSchema)->Unit(benchmark::kMillisecond);

void BM_SqlSplitterCopyData(benchmark::State& state) {
  static const std::string script = data_script(64 << 20);
  run_splitter(state, script);
}
BENCHMARK(BM_SqlSplitterCopyData)->Unit(benchmark::kMillisecond);

}  // namespace
