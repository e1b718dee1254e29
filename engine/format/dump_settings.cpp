#include "engine/format/dump_settings.hpp"

namespace crm::engine {

std::string_view pg_dump_session_settings() {
  return "SET statement_timeout = 0;\n"
         "SET lock_timeout = 0;\n"
         "SET idle_in_transaction_session_timeout = 0;\n"
         "SET client_encoding = 'UTF8';\n"
         "SET standard_conforming_strings = on;\n"
         "SELECT pg_catalog.set_config('search_path', '', false);\n"
         "SET check_function_bodies = false;\n"
         "SET xmloption = content;\n"
         "SET client_min_messages = warning;\n"
         "SET row_security = off;\n";
}

}  // namespace crm::engine
