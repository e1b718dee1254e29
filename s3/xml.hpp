#pragma once
// A small XML reader for S3's answers: elements by local name (any namespace prefix and the
// default namespace ignored, since servers differ in both), text with entities and CDATA
// decoded and never trimmed (keys may start or end with spaces), any element order.
// Attributes, comments, processing instructions and DOCTYPE are skipped.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crm::s3 {

class XmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct XmlElement {
  std::string name;  // local name
  std::string text;  // the element's own character data
  std::vector<XmlElement> children;

  const XmlElement* child(std::string_view local_name) const;
  std::vector<const XmlElement*> all(std::string_view local_name) const;
  // The child's text, or `fallback` when there is no such child.
  std::string child_text(std::string_view local_name, std::string_view fallback = "") const;
};

// Throws XmlError (with the byte offset) on malformed input or nesting deeper than 64.
XmlElement parse_xml(std::string_view text);

}  // namespace crm::s3
