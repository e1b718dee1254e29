#include "storage-api/url.hpp"

#include <gtest/gtest.h>

using namespace crm::storage;

TEST(Url, EncodesEverySegmentAndKeepsSlashes) {
  EXPECT_EQ(encode_object_path("a/b c/d?e#f%.pdf"), "a/b%20c/d%3Fe%23f%25.pdf");
  EXPECT_EQ(encode_object_path(" lead/trail "), "%20lead/trail%20");
  EXPECT_EQ(encode_object_path("+&;=!$*@:,'()"), "%2B%26%3B%3D%21%24%2A%40%3A%2C%27%28%29");
  EXPECT_EQ(encode_object_path("ü"), "%C3%BC");
  EXPECT_EQ(encode_object_path("x//y"), "x//y");
}

TEST(Url, JoinsBaseAndPath) {
  EXPECT_EQ(join_url("http://h/storage/v1/", "/object/x"), "http://h/storage/v1/object/x");
  EXPECT_EQ(join_url("http://h/storage/v1", "object/x"), "http://h/storage/v1/object/x");
}
