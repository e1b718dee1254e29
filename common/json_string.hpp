#pragma once
// JSON string literals for request bodies, manifests and --json output: one escaper for the
// whole product (the fixture Storage server keeps its own on purpose: it stands in for the
// real server and shares no code with the client it tests).
#include <string>
#include <string_view>

namespace crm {

// Appends s as a JSON string literal, quotes included. Bytes >= 0x80 pass through unchanged
// (the input is UTF-8); control characters become short escapes or \u00XX.
void append_json_string(std::string& out, std::string_view s);

}  // namespace crm
