#pragma once
// The text around the rows of data.sql, as `supabase db dump --data-only --use-copy` writes it
// (pg_dump --data-only --quote-all-identifiers framed by the CLI's first and last lines).
#include <string>
#include <string_view>
#include <vector>

namespace crm::engine {

// "SET session_replication_role = replica;", pg_dump's banner and its session settings.
std::string data_file_header(std::string_view server_version);
// The comment and `COPY "s"."t" ("a", "b") FROM stdin;` line that opens a table's rows.
std::string copy_block_header(std::string_view schema, std::string_view table, std::string_view owner,
                              const std::vector<std::string>& columns);
// "\." and the blank lines pg_dump leaves after a block.
std::string_view copy_block_footer();
// The comment and `SELECT pg_catalog.setval('"s"."seq"', 42, true);`.
std::string sequence_setval(std::string_view schema, std::string_view name, std::string_view owner,
                            std::string_view last_value, bool is_called);
// pg_dump's closing banner and "RESET ALL;".
std::string_view data_file_trailer();

// The COPY TO STDOUT statement that produces exactly the rows of the block; `where` is empty
// or a condition (ctid range, extension filter) that forces the SELECT form.
std::string copy_out_sql(std::string_view schema, std::string_view table,
                         const std::vector<std::string>& columns, std::string_view where);

}  // namespace crm::engine
