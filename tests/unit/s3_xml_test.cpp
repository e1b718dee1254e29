#include "s3/xml.hpp"

#include <gtest/gtest.h>

using namespace crm::s3;

TEST(S3Xml, ReadsAwsListingWithDefaultNamespace) {
  // The ListObjectsV2 example of the S3 API reference, whitespace and all.
  XmlElement root = parse_xml(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>bucket</Name>
    <Prefix/>
    <KeyCount>205</KeyCount>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>my-image.jpg</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>"fba9dede5f27731c9771645a39863328"</ETag>
        <Size>434234</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
</ListBucketResult>)");
  EXPECT_EQ(root.name, "ListBucketResult");
  EXPECT_EQ(root.child_text("Prefix", "absent"), "");
  ASSERT_NE(root.child("Contents"), nullptr);
  EXPECT_EQ(root.child("Contents")->child_text("ETag"), "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(root.child("Contents")->child_text("Size"), "434234");
}

TEST(S3Xml, PrefixedNamespacesEntitiesCdataAndComments) {
  XmlElement root = parse_xml(
      "<?xml version='1.0'?><!-- made by a gateway --><s3:Error xmlns:s3='urn:x' a=\"1>2\">"
      "<s3:Code>Slow&#68;own</s3:Code><s3:Message>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#x00FC;"
      "<![CDATA[<raw & text>]]></s3:Message><!-- x --><Key>  spaced key  </Key></s3:Error>\n");
  EXPECT_EQ(root.name, "Error");
  EXPECT_EQ(root.child_text("Code"), "SlowDown");
  EXPECT_EQ(root.child_text("Message"), "a <b> & \"c\" 'd' \xC3\xBC<raw & text>");
  EXPECT_EQ(root.child_text("Key"), "  spaced key  ");  // never trimmed
}

TEST(S3Xml, MalformedInputIsAnErrorNotACrash) {
  for (const char* bad : {"", "text", "<a>", "<a></b>", "<a>&unknown;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>",
                          "<a b=c></a>", "<a></a><b/>", "<a><![CDATA[x</a>", "<a>&amp</a>", "<?xml"}) {
    EXPECT_THROW(parse_xml(bad), XmlError) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  EXPECT_THROW(parse_xml(deep), XmlError);
}

TEST(S3Xml, AllReturnsRepeatedChildrenInOrder) {
  XmlElement root = parse_xml("<R><X>1</X><Y/><X>2</X></R>");
  auto xs = root.all("X");
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_EQ(xs[0]->text, "1");
  EXPECT_EQ(xs[1]->text, "2");
}
