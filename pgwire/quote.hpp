#pragma once
// Quoting for SQL we generate. Identifiers are always double-quoted (like
// pg_dump --quote-all-identifiers) so no name from the database can change the statement.
#include <string>
#include <string_view>

namespace crm::pg {

// "name" with embedded double quotes doubled. Throws std::invalid_argument on NUL.
std::string quote_ident(std::string_view name);
// "schema"."name"
std::string quote_qualified(std::string_view schema, std::string_view name);
// 'text' with single quotes doubled; assumes standard_conforming_strings = on (the generated
// files set it). Throws std::invalid_argument on NUL.
std::string quote_literal(std::string_view text);

}  // namespace crm::pg
