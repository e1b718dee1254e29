#include "s3/responses.hpp"

#include <charconv>

#include <fmt/format.h>

#include "s3/digest.hpp"
#include "s3/errors.hpp"
#include "s3/xml.hpp"

namespace crm::s3 {
namespace {

XmlElement parse_root(std::string_view xml, std::string_view expected) {
  XmlElement root;
  try {
    root = parse_xml(xml);
  } catch (const XmlError& e) {
    throw S3Error(ErrorKind::kProtocol, fmt::format("unreadable {} answer: {}", expected, e.what()));
  }
  if (root.name != expected)
    throw S3Error(ErrorKind::kProtocol, fmt::format("expected a {} answer, got <{}>", expected, root.name));
  return root;
}

const XmlElement& required(const XmlElement& parent, std::string_view name) {
  const XmlElement* c = parent.child(name);
  if (!c) throw S3Error(ErrorKind::kProtocol, fmt::format("<{}> lacks <{}>", parent.name, name));
  return *c;
}

}  // namespace

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size()) {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || p != s.data() + i + 3)
        throw S3Error(ErrorKind::kProtocol, fmt::format("bad %-escape in the URL-encoded name '{}'", s));
      out.push_back(static_cast<char>(v));
      i += 2;
    } else if (c == '%') {
      throw S3Error(ErrorKind::kProtocol, fmt::format("truncated %-escape in the URL-encoded name '{}'", s));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

ListPage parse_list_objects_v2(std::string_view xml) {
  XmlElement root = parse_root(xml, "ListBucketResult");
  bool encoded = root.child_text("EncodingType") == "url";
  auto name = [&](const std::string& s) { return encoded ? url_decode(s) : s; };
  ListPage page;
  for (const XmlElement* c : root.all("Contents")) {
    ObjectInfo o;
    o.key = name(required(*c, "Key").text);
    const std::string& size = required(*c, "Size").text;
    auto [p, ec] = std::from_chars(size.data(), size.data() + size.size(), o.size);
    if (ec != std::errc() || p != size.data() + size.size())
      throw S3Error(ErrorKind::kProtocol, fmt::format("object '{}' has a bad <Size> '{}'", o.key, size));
    o.etag = unquote_etag(c->child_text("ETag"));
    o.last_modified = c->child_text("LastModified");
    page.objects.push_back(std::move(o));
  }
  for (const XmlElement* c : root.all("CommonPrefixes"))
    for (const XmlElement* p : c->all("Prefix")) page.common_prefixes.push_back(name(p->text));
  page.truncated = root.child_text("IsTruncated") == "true";
  page.next_continuation_token = root.child_text("NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty())
    throw S3Error(ErrorKind::kProtocol, "a truncated listing without <NextContinuationToken>");
  return page;
}

std::string parse_upload_id(std::string_view xml) {
  XmlElement root = parse_root(xml, "InitiateMultipartUploadResult");
  std::string id = required(root, "UploadId").text;
  if (id.empty()) throw S3Error(ErrorKind::kProtocol, "an empty <UploadId>");
  return id;
}

std::string parse_complete_etag(std::string_view xml) {
  return unquote_etag(required(parse_root(xml, "CompleteMultipartUploadResult"), "ETag").text);
}

std::string parse_copy_etag(std::string_view xml) {
  return unquote_etag(required(parse_root(xml, "CopyObjectResult"), "ETag").text);
}

DeleteOutcome parse_delete_result(std::string_view xml) {
  XmlElement root = parse_root(xml, "DeleteResult");
  DeleteOutcome out;
  for (const XmlElement* d : root.all("Deleted")) out.deleted.push_back(d->child_text("Key"));
  for (const XmlElement* e : root.all("Error"))
    out.errors.push_back({e->child_text("Key"), e->child_text("Code"), e->child_text("Message")});
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Tabs, line breaks and other control characters would be normalized by the server's
        // XML parser: send them as references.
        if (c < 0x20) out += fmt::format("&#x{:X};", c);
        else out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string complete_multipart_body(const std::vector<CompletedPart>& parts) {
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& p : parts)
    out += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", p.number, xml_escape(p.etag));
  out += "</CompleteMultipartUpload>";
  return out;
}

std::string delete_objects_body(const std::vector<std::string>& keys) {
  std::string out = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
  for (const auto& k : keys) out += "<Object><Key>" + xml_escape(k) + "</Key></Object>";
  out += "</Delete>";
  return out;
}

}  // namespace crm::s3
