#pragma once
// Shared by the splitter fuzz targets: runs the splitter over bytes served in pieces of a
// given size and records a normalised event stream (COPY data joined per block, since the
// split of data into pieces may follow read boundaries).
#include <string>
#include <string_view>
#include <vector>

#include "pgwire/script/sql_splitter.hpp"

namespace crm::fuzz {

struct Split {
  std::vector<std::string> events;  // "S:<stmt>", "D:<copy data of one block>", "E:<line>", "C:<db>"
  bool failed = false;
  std::uint64_t error_line = 0;
};

inline Split split_all(std::string_view input, size_t piece) {
  Split s;
  pg::MemorySource src(input, piece);
  pg::SqlSplitter sp(src, "fuzz.sql");
  pg::ScriptEvent ev;
  std::string copy;
  bool in_copy = false;
  try {
    while (sp.next(ev)) {
      // Every piece of text the splitter hands out comes from the input.
      if (!ev.text.empty() && input.find(ev.text) == std::string_view::npos &&
          ev.kind != pg::ScriptEvent::Kind::kConnect)
        __builtin_trap();
      switch (ev.kind) {
        case pg::ScriptEvent::Kind::kStatement:
          if (ev.text.empty()) __builtin_trap();
          s.events.push_back("S:" + std::string(ev.text));
          in_copy = ev.copy_from_stdin;
          copy.clear();
          break;
        case pg::ScriptEvent::Kind::kCopyData:
          if (!in_copy) __builtin_trap();  // data outside a COPY block
          copy += ev.text;
          break;
        case pg::ScriptEvent::Kind::kCopyEnd:
          if (!in_copy) __builtin_trap();
          s.events.push_back("D:" + copy);
          s.events.push_back("E:" + std::to_string(ev.line));
          in_copy = false;
          copy.clear();
          break;
        case pg::ScriptEvent::Kind::kConnect:
          s.events.push_back("C:" + std::string(ev.text));
          break;
      }
    }
  } catch (const pg::ScriptError& e) {
    s.failed = true;
    s.error_line = e.line();
  }
  return s;
}

// The same bytes split whole, 7 bytes at a time and (short inputs: it is slow) one byte at a
// time give the same events.
inline void check_piece_independence(std::string_view input) {
  Split whole = split_all(input, static_cast<size_t>(-1));
  for (size_t piece : {size_t{7}, size_t{1}}) {
    if (piece == 1 && input.size() > 1024) continue;
    Split other = split_all(input, piece);
    if (whole.failed != other.failed || whole.error_line != other.error_line) __builtin_trap();
    if (!whole.failed && whole.events != other.events) __builtin_trap();
  }
}

}  // namespace crm::fuzz
