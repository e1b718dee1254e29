// The SQL splitter on arbitrary bytes: never a crash, a hang or a sanitizer report; every
// statement and every piece of COPY data is taken from the input; the events do not depend on
// how the bytes arrive (whole, one at a time, seven at a time).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/split_events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8 * 1024) return 0;  // split one byte at a time too: keep runs fast
  crm::fuzz::check_piece_independence(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
