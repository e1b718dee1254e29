#include "s3/profile_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace crm::s3 {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

IniFile parse_ini(std::string_view text) {
  IniFile out;
  IniSection* section = nullptr;
  std::string nested;  // the "s3" of "s3 =" while its indented lines follow
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      std::size_t close = line.find(']');
      if (close == std::string_view::npos) continue;
      section = &out[std::string(trim(line.substr(1, close - 1)))];
      nested.clear();
      continue;
    }
    if (!section) continue;
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = lower(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    if (indented && !nested.empty()) {
      (*section)[nested + "." + key] = value;
      continue;
    }
    nested = value.empty() ? key : std::string();
    if (!value.empty()) (*section)[key] = value;
  }
  return out;
}

IniFile read_ini_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) return {};
  std::string text;
  int err = 0;
  if (fd >= 0) {
    char buf[8192];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err = errno;
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
  } else {
    err = errno;
  }
  if (err)
    throw std::filesystem::filesystem_error("cannot read the AWS settings file", path,
                                            std::error_code(err, std::generic_category()));
  return parse_ini(text);
}

const IniSection* credentials_section(const IniFile& f, const std::string& profile) {
  auto it = f.find(profile);
  return it == f.end() ? nullptr : &it->second;
}

const IniSection* config_section(const IniFile& f, const std::string& profile) {
  auto it = f.find("profile " + profile);
  if (it != f.end()) return &it->second;
  if (profile == "default") {
    it = f.find("default");
    if (it != f.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace crm::s3
