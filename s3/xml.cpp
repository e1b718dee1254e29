#include "s3/xml.hpp"

#include <charconv>

#include <fmt/format.h>

namespace crm::s3 {

const XmlElement* XmlElement::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::all(std::string_view n) const {
  std::vector<const XmlElement*> out;
  for (const auto& c : children)
    if (c.name == n) out.push_back(&c);
  return out;
}

std::string XmlElement::child_text(std::string_view n, std::string_view fallback) const {
  const XmlElement* c = child(n);
  return c ? c->text : std::string(fallback);
}

namespace {

constexpr int kMaxDepth = 64;

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  XmlElement document() {
    skip_misc();
    if (!at("<")) fail("no root element");
    XmlElement root = element(0);
    skip_misc();
    if (pos_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(std::string_view why) const {
    throw XmlError(fmt::format("malformed XML at byte {}: {}", pos_, why));
  }
  bool at(std::string_view t) const { return s_.substr(pos_, t.size()) == t; }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) ++pos_;
  }
  void skip_past(std::string_view end) {
    std::size_t e = s_.find(end, pos_);
    if (e == std::string_view::npos) fail(fmt::format("missing '{}'", end));
    pos_ = e + end.size();
  }
  // Whitespace, the declaration, comments, processing instructions and DOCTYPE around the root.
  void skip_misc() {
    for (;;) {
      skip_ws();
      if (at("<?")) skip_past("?>");
      else if (at("<!--")) skip_past("-->");
      else if (at("<!DOCTYPE") || at("<!doctype")) skip_past(">");
      else return;
    }
  }
  static bool name_char(char c) {
    return !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>' || c == '=' || c == '<');
  }
  std::string_view name() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && name_char(s_[pos_])) ++pos_;
    if (pos_ == start) fail("an element name is missing");
    return s_.substr(start, pos_ - start);
  }
  static std::string_view local(std::string_view qname) {
    std::size_t colon = qname.find(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
  }
  void append_utf8(std::string& out, unsigned long cp) {
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("a character reference out of range");
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  void entity(std::string& out) {
    std::size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) fail("an unterminated entity");
    std::string_view e = s_.substr(pos_ + 1, semi - pos_ - 1);
    if (e == "lt") out.push_back('<');
    else if (e == "gt") out.push_back('>');
    else if (e == "amp") out.push_back('&');
    else if (e == "quot") out.push_back('"');
    else if (e == "apos") out.push_back('\'');
    else if (e.size() > 1 && e[0] == '#') {
      bool hex = e[1] == 'x' || e[1] == 'X';
      std::string_view digits = e.substr(hex ? 2 : 1);
      unsigned long cp = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) fail("a bad character reference");
      append_utf8(out, cp);
    } else {
      fail(fmt::format("an unknown entity '&{};'", e));
    }
    pos_ = semi + 1;
  }
  void attributes() {
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size()) fail("an unterminated start tag");
      if (at("/>") || at(">")) return;
      name();
      skip_ws();
      if (!at("=")) fail("an attribute without a value");
      ++pos_;
      skip_ws();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail("an unquoted attribute value");
      char q = s_[pos_++];
      std::size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) fail("an unterminated attribute value");
      pos_ = end + 1;
    }
  }
  XmlElement element(int depth) {
    if (depth >= kMaxDepth) fail("elements nested too deeply");
    ++pos_;  // '<'
    std::string_view qname = name();
    XmlElement el;
    el.name = std::string(local(qname));
    attributes();
    if (at("/>")) {
      pos_ += 2;
      return el;
    }
    ++pos_;  // '>'
    for (;;) {
      if (pos_ >= s_.size()) fail(fmt::format("element <{}> is not closed", qname));
      char c = s_[pos_];
      if (c == '&') {
        entity(el.text);
      } else if (c != '<') {
        std::size_t next = s_.find_first_of("<&", pos_);
        if (next == std::string_view::npos) next = s_.size();
        el.text.append(s_.substr(pos_, next - pos_));
        pos_ = next;
      } else if (at("<![CDATA[")) {
        std::size_t end = s_.find("]]>", pos_);
        if (end == std::string_view::npos) fail("an unterminated CDATA section");
        el.text.append(s_.substr(pos_ + 9, end - pos_ - 9));
        pos_ = end + 3;
      } else if (at("<!--")) {
        skip_past("-->");
      } else if (at("<?")) {
        skip_past("?>");
      } else if (at("</")) {
        pos_ += 2;
        std::string_view closing = name();
        if (closing != qname) fail(fmt::format("</{}> closes <{}>", closing, qname));
        skip_ws();
        if (!at(">")) fail("a bad end tag");
        ++pos_;
        return el;
      } else {
        el.children.push_back(element(depth + 1));
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

XmlElement parse_xml(std::string_view text) { return Reader(text).document(); }

}  // namespace crm::s3
