#include "storage-api/listing.hpp"

#include <gtest/gtest.h>

#include "storage-api/errors.hpp"

using namespace crm::storage;

TEST(StorageListing, ParsesAListV2PageWithMetadataAndCursor) {
  auto page = parse_list_v2(R"({"hasNext":true,"nextCursor":"abc","folders":[],"objects":[
    {"name":"contacts/1/ a+b&c.pdf ","id":"u1","updated_at":"2024-01-15T14:30:22.000Z",
     "metadata":{"eTag":"\"d41d8cd98f00b204e9800998ecf8427e\"","size":0,"mimetype":"application/pdf",
                 "cacheControl":"max-age=3600","lastModified":"2024-01-15T14:30:22.123Z","contentLength":0,"httpStatusCode":200}},
    {"name":"ünï/x#y.txt","id":"u2","metadata":{"size":12345678901,"mimetype":"text/plain"}}]})");
  EXPECT_TRUE(page.has_next);
  EXPECT_EQ(page.next_cursor, "abc");
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].name, "contacts/1/ a+b&c.pdf ");
  EXPECT_EQ(page.objects[0].size, 0u);
  EXPECT_EQ(page.objects[0].etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
  EXPECT_EQ(page.objects[0].content_type, "application/pdf");
  EXPECT_EQ(page.objects[0].cache_control, "max-age=3600");
  EXPECT_EQ(page.objects[0].last_modified, "2024-01-15T14:30:22.123Z");
  EXPECT_EQ(page.objects[1].name, "ünï/x#y.txt");
  EXPECT_EQ(page.objects[1].size, 12345678901u);
  EXPECT_TRUE(page.objects[1].cache_control.empty());
}

TEST(StorageListing, LastPageHasNoCursor) {
  auto page = parse_list_v2(R"({"hasNext":false,"folders":[],"objects":[]})");
  EXPECT_FALSE(page.has_next);
  EXPECT_TRUE(page.objects.empty());
}

TEST(StorageListing, V1FoldersAreEntriesWithNullId) {
  auto entries = parse_list_v1(R"([
    {"name":"sub","id":null,"updated_at":null,"created_at":null,"last_accessed_at":null,"metadata":null},
    {"name":"file one.pdf","id":"7","updated_at":"2024-01-01T00:00:00Z","metadata":{"size":42,"mimetype":"application/pdf"}}])");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(entries[0].is_folder);
  EXPECT_EQ(entries[0].object.name, "sub");
  EXPECT_FALSE(entries[1].is_folder);
  EXPECT_EQ(entries[1].object.size, 42u);
  EXPECT_EQ(entries[1].object.last_modified, "2024-01-01T00:00:00Z");  // from updated_at when metadata has none
}

TEST(StorageListing, MalformedAnswersAreProtocolErrors) {
  for (const char* bad : {"not json", "[1,2]", R"({"hasNext":true,"objects":[]})", R"({"objects":[{"id":"x"}]})",
                          R"({"objects":[{"name":"a","metadata":{"size":-5}}]})", R"({"objects":{}})"}) {
    try {
      parse_list_v2(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const StorageError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kProtocol) << bad;
    }
  }
  EXPECT_THROW(parse_list_v1(R"({"name":"x"})"), StorageError);
}

TEST(StorageListing, RequestBodiesEscapeNames) {
  EXPECT_EQ(list_v2_body("a\"b", "", 1000),
            R"({"prefix":"a\"b","limit":1000,"with_delimiter":false,"sortBy":{"column":"name","order":"asc"}})");
  EXPECT_NE(list_v2_body("", "cur", 10).find(R"("cursor":"cur")"), std::string::npos);
  EXPECT_EQ(list_v1_body("f/s", 100, 200),
            R"({"prefix":"f/s","limit":100,"offset":200,"sortBy":{"column":"name","order":"asc"}})");
  std::vector<std::string> names = {"a", "b\\c", "d\ne"};
  EXPECT_EQ(delete_many_body(names, 1, 3), R"({"prefixes":["b\\c","d\ne"]})");
}
