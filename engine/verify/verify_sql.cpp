#include "engine/verify/verify_sql.hpp"

#include <map>

#include "engine/io/hash.hpp"
#include "engine/io/zstd_reader.hpp"
#include "pgwire/script/script_executor.hpp"
#include "pgwire/script/sql_splitter.hpp"

namespace crm::engine {
namespace {

struct TableHash {
  std::uint64_t rows = 0;
  Xxh3Hasher hasher;
  bool seen = false;
};

// "COPY "s"."t" (...) FROM stdin;" -> "s.t" (quoted identifiers unquoted).
std::string copy_table_key(std::string_view stmt) {
  std::string out;
  size_t p = stmt.find_first_not_of(" \t\r\n");
  if (p == std::string_view::npos) return out;
  p += 4;  // COPY
  for (int part = 0; part < 2; ++part) {
    while (p < stmt.size() && (stmt[p] == ' ' || stmt[p] == '\n')) ++p;
    std::string ident;
    if (p < stmt.size() && stmt[p] == '"') {
      for (++p; p < stmt.size(); ++p) {
        if (stmt[p] == '"') {
          if (p + 1 < stmt.size() && stmt[p + 1] == '"') {
            ident += '"';
            ++p;
          } else {
            ++p;
            break;
          }
        } else {
          ident += stmt[p];
        }
      }
    } else {
      while (p < stmt.size() && stmt[p] != '.' && stmt[p] != ' ' && stmt[p] != '(') ident += stmt[p++];
    }
    out += ident;
    if (part == 0) {
      if (p >= stmt.size() || stmt[p] != '.') return "public." + out;
      out += '.';
      ++p;
    }
  }
  return out;
}

}  // namespace

std::vector<VerifyProblem> verify_set_sql(const SetInfo& set) {
  std::vector<VerifyProblem> out;
  for (const std::string& part : std::vector<std::string>{"roles.sql", "schema.sql", set.data_part()}) {
    auto path = set.part(part);
    if (part.empty() || path.empty()) continue;
    std::string fname = path.filename().string();
    bool is_data = part.rfind("data.sql", 0) == 0;
    std::map<std::string, TableHash> tables;
    try {
      auto src = open_script_source(path.string());
      pg::SqlSplitter split(*src, fname);
      pg::ScriptEvent ev;
      TableHash* current = nullptr;
      while (split.next(ev)) {
        using K = pg::ScriptEvent::Kind;
        if (ev.kind == K::kStatement && ev.copy_from_stdin && is_data) {
          current = &tables[copy_table_key(ev.text)];
          current->seen = true;
        } else if (ev.kind == K::kCopyData && current) {
          current->hasher.update(ev.text);
          for (char c : ev.text) current->rows += c == '\n';
        } else if (ev.kind == K::kCopyEnd) {
          current = nullptr;
        }
      }
    } catch (const pg::ScriptError& e) {
      out.push_back({fname, "unparsable", e.what()});
      continue;
    } catch (const std::exception& e) {
      out.push_back({fname, "unparsable", e.what()});
      continue;
    }
    if (!is_data || !set.manifest) continue;
    for (const auto& t : set.manifest->tables) {
      std::string key = t.schema + "." + t.name;
      auto it = tables.find(key);
      if (it == tables.end()) {
        out.push_back({fname, "table", "table " + key + " is in the manifest but has no COPY block"});
        continue;
      }
      std::string hash = it->second.hasher.hex();
      if (it->second.rows != t.rows || hash != t.xxh3_128)
        out.push_back({fname, "table",
                       "table " + key + ": rows " + std::to_string(it->second.rows) + " (manifest " +
                           std::to_string(t.rows) + "), content " + (hash == t.xxh3_128 ? "same" : "differs")});
      tables.erase(it);
    }
    for (const auto& [key, t] : tables) out.push_back({fname, "table", "table " + key + " is not in the manifest"});
  }
  return out;
}

}  // namespace crm::engine
