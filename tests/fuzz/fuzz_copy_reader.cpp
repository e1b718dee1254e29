// The splitter in COPY mode: after `COPY ... FROM stdin;` arbitrary bytes are data up to the
// first line that is exactly "\." The data handed out is exactly the input up to that line
// (nothing lost, nothing added), and a block without its "\." line is an error, never silent.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/split_events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8 * 1024) return 0;  // split one byte at a time too: keep runs fast
  const std::string head = "COPY \"public\".\"t\" (\"a\", \"b\") FROM stdin;\n";
  std::string body(reinterpret_cast<const char*>(data), size);
  std::string input = head + body;
  crm::fuzz::check_piece_independence(input);

  crm::fuzz::Split s = crm::fuzz::split_all(input, static_cast<size_t>(-1));
  if (s.events.empty() || s.events[0] != "S:" + head.substr(0, head.size() - 1)) {
    // The statement text ends at its ';' (the newline is not part of it).
    if (s.events.empty() || s.events[0].rfind("S:COPY", 0) != 0) __builtin_trap();
  }
  // Where the block must end: the first line of body that is exactly "\." (a "\.\r" line too,
  // as psql accepts), at the start of body or after a '\n'.
  size_t end = std::string::npos;
  for (size_t i = 0; i < body.size();) {
    size_t nl = body.find('\n', i);
    std::string_view line(body.data() + i, (nl == std::string::npos ? body.size() : nl) - i);
    if (line == "\\." || line == "\\.\r") {
      end = i;
      break;
    }
    if (nl == std::string::npos) break;
    i = nl + 1;
  }
  if (end == std::string::npos) {
    if (!s.failed) __builtin_trap();  // an unterminated COPY block must be refused
    return 0;
  }
  if (s.events.size() < 3) __builtin_trap();
  if (s.events[1] != "D:" + body.substr(0, end)) __builtin_trap();
  if (s.events[2].rfind("E:", 0) != 0) __builtin_trap();
  return 0;
}
