#pragma once
// The storage options of a relation or a column (reloptions, attoptions) as DDL writes them.
#include <string>
#include <string_view>
#include <vector>

namespace crm::engine::schema::kinds::relation {

// "name=value" items as the catalog stores them -> "name='value', ..." (a name that is not
// plain lower-case is quoted), each name after `prefix` ("toast."); the option named `skip`
// is left out.
std::string format_options(const std::vector<std::string>& opts, std::string_view prefix = "",
                           std::string_view skip = "");

}  // namespace crm::engine::schema::kinds::relation
