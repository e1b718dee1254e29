// The generator's encoders: COPY text escaping (checked against an independent decoder of the
// COPY text format), JSON strings, array elements, timestamps, UUIDs, and the seeded PRNG.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "fixtures/datagen/copy_text.hpp"
#include "fixtures/datagen/prng.hpp"

using namespace crm::fixtures;

namespace {

std::string esc(std::string_view s) {
  std::string out;
  append_copy_escaped(out, s);
  return out;
}

// Decodes one COPY text field as the server does (backslash sequences of the text format).
std::string copy_decode(std::string_view f) {
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    char n = f.at(++i);
    switch (n) {
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'v': out.push_back('\v'); break;
      default: out.push_back(n);
    }
  }
  return out;
}

}  // namespace

TEST(DatagenCopyEscape, EscapesExactlyBackslashTabNewlineCarriageReturn) {
  EXPECT_EQ(esc(""), "");
  EXPECT_EQ(esc("plain"), "plain");
  EXPECT_EQ(esc("a\\b"), "a\\\\b");
  EXPECT_EQ(esc("a\tb"), "a\\tb");
  EXPECT_EQ(esc("a\nb"), "a\\nb");
  EXPECT_EQ(esc("a\rb"), "a\\rb");
  EXPECT_EQ(esc("\\N"), "\\\\N");  // the text "\N" must not read back as NULL
  EXPECT_EQ(esc("\n\\.\n"), "\\n\\\\.\\n");  // an end-of-data marker inside a value
  EXPECT_EQ(esc("\\"), "\\\\");
  EXPECT_EQ(esc("\t\t"), "\\t\\t");
  EXPECT_EQ(esc("quotes \" ' and , { } stay"), "quotes \" ' and , { } stay");
  EXPECT_EQ(esc("café 日本 🚀"), "café 日本 🚀");
}

TEST(DatagenCopyEscape, OutputHasNoRawDelimitersAndDecodesBack) {
  Rng r(12345);
  for (int iter = 0; iter < 2000; ++iter) {
    std::string s;
    size_t len = r.below(40);
    for (size_t i = 0; i < len; ++i) {
      static constexpr char kAlpha[] = {'a', '\\', '\t', '\n', '\r', '.', 'N', '"', '\x01', '\xc3', '\xa9', ' '};
      s.push_back(kAlpha[r.below(sizeof kAlpha)]);
    }
    std::string e = esc(s);
    EXPECT_EQ(e.find('\t'), std::string::npos);
    EXPECT_EQ(e.find('\n'), std::string::npos);
    EXPECT_EQ(e.find('\r'), std::string::npos);
    EXPECT_NE(e, "\\N");
    EXPECT_EQ(copy_decode(e), s) << "input of length " << s.size();
  }
}

TEST(DatagenCopyEscape, AppendsWithoutTouchingWhatIsThere) {
  std::string out = "x\t";
  append_copy_escaped(out, "a\\");
  EXPECT_EQ(out, "x\ta\\\\");
}

TEST(DatagenJson, StringsAreQuotedAndEscaped) {
  std::string out;
  append_json_string(out, "say \"hi\"\\\n\t\r\x01 é🚀");
  EXPECT_EQ(out, "\"say \\\"hi\\\"\\\\\\n\\t\\r\\u0001 é🚀\"");
}

TEST(DatagenArray, ElementsAreAlwaysQuotedWithQuotesAndBackslashesEscaped) {
  std::string out;
  append_array_element(out, R"({"a": "b\"c"})");
  EXPECT_EQ(out, R"("{\"a\": \"b\\\"c\"}")");
  out.clear();
  append_array_element(out, "NULL");
  EXPECT_EQ(out, "\"NULL\"");  // quoted: the string NULL, not a NULL element
}

TEST(DatagenTime, FormatsUtcTimestamps) {
  std::string out;
  append_timestamptz(out, 0);
  EXPECT_EQ(out, "1970-01-01 00:00:00+00");
  out.clear();
  append_timestamptz(out, 951782400 + 3661, 42);  // 2000-02-29 01:01:01
  EXPECT_EQ(out, "2000-02-29 01:01:01.000042+00");
  out.clear();
  append_timestamptz(out, -1);
  EXPECT_EQ(out, "1969-12-31 23:59:59+00");
  out.clear();
  append_timestamptz(out, 1704067199, 999999);
  EXPECT_EQ(out, "2023-12-31 23:59:59.999999+00");
}

TEST(DatagenUuid, Version4TextForm) {
  std::string out;
  append_uuid(out, 0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL);
  EXPECT_EQ(out, "ffffffff-ffff-4fff-bfff-ffffffffffff");
  out.clear();
  append_uuid(out, 0, 0);
  EXPECT_EQ(out, "00000000-0000-4000-8000-000000000000");
}

TEST(DatagenInt, Decimal) {
  std::string out;
  append_int(out, -9223372036854775807LL - 1);
  out += ",";
  append_int(out, 0);
  EXPECT_EQ(out, "-9223372036854775808,0");
}

TEST(DatagenRng, RowStreamsAreDeterministicAndDistinct) {
  Rng a(7, 3, 100), b(7, 3, 100), c(7, 3, 101), d(8, 3, 100), e(7, 4, 100);
  std::uint64_t va = a.next();
  EXPECT_EQ(va, b.next());
  std::set<std::uint64_t> firsts{va, c.next(), d.next(), e.next()};
  EXPECT_EQ(firsts.size(), 4u);
  Rng r(99);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_LT(r.below(7), 7u);
    auto v = r.between(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
  }
}
