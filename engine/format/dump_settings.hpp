#pragma once
#include <string_view>

namespace crm::engine {

// The session settings pg_dump writes at the top of every plain dump (and so do roles-free
// schema.sql and data.sql): one statement a line, ending with "SET row_security = off;\n".
std::string_view pg_dump_session_settings();

}  // namespace crm::engine
