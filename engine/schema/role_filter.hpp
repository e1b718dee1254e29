#pragma once
// The platform's rules for roles.sql (../shared/spec/supabase-backup-format.md): which role
// names Supabase reserves, which per-role settings stay active on reserved roles, and how a
// statement is commented out.
#include <string>
#include <string_view>

namespace crm::engine::schema {

// True when the platform manages the role (anon, authenticated, supabase_*, cli_login_*, ...).
bool is_reserved_role(std::string_view name);
// True when `ALTER ROLE <reserved> SET <name>` stays active (pgaudit.*, pgrst.*,
// session_replication_role, statement_timeout, track_io_timing).
bool is_allowed_reserved_config(std::string_view name);
// Prefixes every line of sql with "-- " (multi-line statements stay fully commented).
std::string comment_out(std::string_view sql);

}  // namespace crm::engine::schema

namespace crm::engine::schema {

// The value part of `SET name TO <value>` for a stored "name=value" setting: a list of
// literals for the GUC_LIST_QUOTE settings (search_path, temp_tablespaces, *_preload_libraries),
// else one literal.
std::string format_setting_value(std::string_view name, std::string_view value);

}  // namespace crm::engine::schema
