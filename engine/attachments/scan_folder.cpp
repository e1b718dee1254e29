#include <sys/xattr.h>

#include <algorithm>
#include <map>

#include "engine/attachments/attachments.hpp"

namespace crm::engine {
namespace fs = std::filesystem;
namespace {

// The file backend names each version file with a UUID.
bool looks_like_version(const std::string& n) {
  if (n.size() != 36) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (n[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(n[i]))) return false;
  }
  return true;
}

bool is_sidecar(const std::string& n) { return n.ends_with(".meta.json"); }

std::string xattr(const fs::path& p, const char* key) {
  char buf[1024];
  ssize_t n = ::getxattr(p.c_str(), key, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

bool legacy_layout(const fs::path& dir) {
  fs::path inner = dir / "attachments";
  std::error_code ec;
  if (!fs::is_directory(inner, ec)) return false;
  bool any = false;
  for (const auto& e : fs::recursive_directory_iterator(inner)) {
    if (!e.is_regular_file()) continue;
    std::string n = e.path().filename().string();
    if (is_sidecar(n)) continue;
    if (!looks_like_version(n) || e.path().parent_path() == inner) return false;
    any = true;
  }
  return any;
}

}  // namespace

std::vector<LocalObject> scan_attachments_folder(const fs::path& dir, bool* legacy_out) {
  std::vector<LocalObject> out;
  bool legacy = legacy_layout(dir);
  if (legacy_out) *legacy_out = legacy;
  if (legacy) {
    fs::path inner = dir / "attachments";
    std::map<std::string, std::pair<fs::file_time_type, fs::path>> newest;  // object -> newest version
    for (const auto& e : fs::recursive_directory_iterator(inner)) {
      if (!e.is_regular_file() || is_sidecar(e.path().filename().string())) continue;
      std::string name = e.path().parent_path().lexically_relative(inner).generic_string();
      auto t = e.last_write_time();
      auto it = newest.find(name);
      if (it == newest.end() || it->second.first < t) newest[name] = {t, e.path()};
    }
    for (const auto& [name, v] : newest) {
      LocalObject o;
      o.record.path = name;
      o.file = v.second;
      o.record.size = fs::file_size(v.second);
      // Local Supabase's file backend keeps the metadata in xattrs (kept by cp -a / --preserve=xattr).
      o.record.content_type = xattr(v.second, "user.supabase.content-type");
      o.record.cache_control = xattr(v.second, "user.supabase.cache-control");
      if (o.record.content_type.empty()) o.record.content_type = "application/octet-stream";
      if (o.record.cache_control.empty()) o.record.cache_control = "no-cache";
      out.push_back(std::move(o));
    }
    return out;
  }
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string n = e.path().filename().string();
    if (n.ends_with(".partial")) continue;  // an interrupted download, never part of the set
    LocalObject o;
    o.record.path = e.path().lexically_relative(dir).generic_string();
    o.file = e.path();
    o.record.size = e.file_size();
    o.record.content_type = "application/octet-stream";
    o.record.cache_control = "no-cache";
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(), [](const LocalObject& a, const LocalObject& b) { return a.record.path < b.record.path; });
  return out;
}

}  // namespace crm::engine
