#include "pgwire/quote.hpp"

#include <gtest/gtest.h>

using namespace crm::pg;

TEST(Quote, IdentifiersAreAlwaysQuotedAndQuotesDoubled) {
  EXPECT_EQ(quote_ident("contacts"), "\"contacts\"");
  EXPECT_EQ(quote_ident("contactNotes"), "\"contactNotes\"");
  EXPECT_EQ(quote_ident("a\"; DROP TABLE x; --"), "\"a\"\"; DROP TABLE x; --\"");
  EXPECT_EQ(quote_qualified("public", "my table"), "\"public\".\"my table\"");
}

TEST(Quote, LiteralsDoubleSingleQuotesAndKeepBackslashes) {
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  EXPECT_EQ(quote_literal("a\\b"), "'a\\b'");
  EXPECT_EQ(quote_literal(""), "''");
}

TEST(Quote, NulBytesAreRefused) {
  EXPECT_THROW(quote_ident(std::string_view("a\0b", 3)), std::invalid_argument);
  EXPECT_THROW(quote_literal(std::string_view("a\0b", 3)), std::invalid_argument);
}
