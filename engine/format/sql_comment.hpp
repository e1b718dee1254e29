#pragma once
// Names written into "--" comment lines of the SQL files (schema.sql, data.sql): a line break
// inside one would end the comment and turn the rest of the name into SQL, so (like pg_dump)
// line breaks become spaces.
#include <string>
#include <string_view>

namespace crm::engine {

inline std::string comment_safe(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace crm::engine
