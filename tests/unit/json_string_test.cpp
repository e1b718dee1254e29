#include "common/json_string.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "engine/format/json_writer.hpp"

namespace {

std::string literal(std::string_view s) {
  std::string out;
  crm::append_json_string(out, s);
  return out;
}

// The oracle: simdjson must read back exactly the bytes that went in.
std::string round_trip(const std::string& json_literal) {
  simdjson::dom::parser parser;
  std::string doc = "[" + json_literal + "]";
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(doc).get(root), simdjson::SUCCESS) << doc;
  std::string_view v;
  EXPECT_EQ(root.at(0).get(v), simdjson::SUCCESS) << doc;
  return std::string(v);
}

}  // namespace

TEST(JsonString, EscapesQuotesBackslashesAndEveryControlCharacter) {
  EXPECT_EQ(literal("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(literal("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(literal(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(literal(std::string(1, '\0')), R"("\u0000")");
  EXPECT_EQ(literal("ünï/x#y.txt"), "\"ünï/x#y.txt\"");  // UTF-8 passes through
}

TEST(JsonString, EveryByteBelow0x80RoundTripsThroughAParser) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(round_trip(literal(all)), all);
  EXPECT_EQ(round_trip(crm::engine::json_escape("contacts/1/\"quoted\" name\t.pdf")), "contacts/1/\"quoted\" name\t.pdf");
}
