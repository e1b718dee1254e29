#include "engine/backupset/backup_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/backupset/folder_access.hpp"
#include "engine/backupset/size_check.hpp"
#include "engine/backupset/staging.hpp"
#include "engine/errors.hpp"
#include "engine/invocation.hpp"
#include "engine/io/sink.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

// The example names what the user typed: the make target, or the command with its flag.
std::string example() {
  std::string target = make_target();
  if (!target.empty()) return "\n  Example: BACKUP_DIR=/path/to/backups make " + target;
  return "\n  Example: crmbackup-native backup --backup-dir /path/to/backups (or BACKUP_DIR=/path/to/backups)";
}

std::string read_small_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void check_writable(const fs::path& dir) {
  auto refuse = [&](int e) {
    if (e == EACCES || e == EPERM) throw folder_access_error(dir, e, "Backup directory is not writable: " + dir.string());
    throw UsageError("Backup directory is not writable: " + dir.string() + " (" + std::strerror(e) +
                     ")\n  Check that it exists and has write permissions:\n    ls -ld " + dir.string() +
                     "\n    chmod u+w " + dir.string());
  };
  // An unnamed file first: a process killed during the check (SIGKILL, or a signal before the
  // interrupt guard exists) then leaves nothing behind. Filesystems without O_TMPFILE get a
  // named probe, removed at once.
  int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) refuse(errno);
  fs::path probe = dir / (".crmbackup-write-test-" + std::to_string(::getpid()));
  fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) refuse(errno);
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace

const char* to_string(SetState s) {
  switch (s) {
    case SetState::Complete: return "complete";
    case SetState::Legacy: return "legacy";
    case SetState::Incomplete: return "incomplete";
    case SetState::InProgress: return "in progress";
    case SetState::Damaged: return "damaged";
  }
  return "?";
}

fs::path resolve_backup_dir(const std::string& flag_value, bool create) {
  std::string value = flag_value;
  // Messages name where the value came from: the flag or the variable.
  const std::string source = flag_value.empty() ? "BACKUP_DIR" : "--backup-dir";
  if (value.empty()) {
    const char* env = std::getenv("BACKUP_DIR");
    if (env) value = env;
  }
  if (value.empty())
    throw UsageError((make_target().empty() ? "no backup folder: pass --backup-dir or set BACKUP_DIR"
                                            : "BACKUP_DIR environment variable is not set") + example());
  fs::path dir(value);
  if (!dir.is_absolute())
    throw UsageError(source + " must be an absolute path, got '" + value + "'" + example());
  std::error_code ec;
  auto st = fs::status(dir, ec);
  // A folder on the way that may not be searched: the folder is there for its owner.
  if (ec && (ec.value() == EACCES || ec.value() == EPERM))
    throw folder_access_error(dir, ec.value(), "Cannot read the backup directory " + dir.string());
  if (fs::exists(st) && !fs::is_directory(st))
    throw UsageError(source + " " + dir.string() + " exists but is not a directory: choose a folder" + example());
  if (!fs::exists(st)) {
    if (!create) throw UsageError("Backup directory does not exist: " + dir.string());
    fs::path existing = dir.parent_path();
    while (existing.has_relative_path() && !fs::exists(existing, ec)) existing = existing.parent_path();
    if (fs::is_directory(existing, ec) && ::faccessat(AT_FDCWD, existing.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
      int e = errno;
      if (e == EACCES || e == EPERM)
        throw folder_access_error(dir, e, "Cannot create the backup directory " + dir.string());
    }
    try {
      create_private_directory(dir);
    } catch (const std::exception& e) {
      throw UsageError(std::string("Cannot create the backup directory: ") + e.what() +
                       "\n  Create it yourself or choose a writable location.");
    }
  }
  if (create) check_writable(dir);
  return fs::canonical(dir);
}

TreeSize measure_tree(const fs::path& dir) {
  TreeSize t;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    struct stat st{};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    t.bytes += static_cast<std::uint64_t>(st.st_size);
    ++t.files;
    if (st.st_nlink == 1) t.unshared_disk_bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
  }
  return t;
}

fs::path SetInfo::part(const std::string& p) const {
  auto it = parts.find(p);
  return it == parts.end() ? fs::path() : it->second;
}

std::tm SetInfo::local_time() const {
  std::tm tm{};
  localtime_r(&time, &tm);
  return tm;
}

std::string SetInfo::data_part() const {
  if (parts.count("data.sql")) return "data.sql";
  if (parts.count("data.sql.zst")) return "data.sql.zst";
  return {};
}

namespace {

void classify(SetInfo& s) {
  bool has_roles = s.parts.count("roles.sql"), has_schema = s.parts.count("schema.sql");
  bool has_data = !s.data_part().empty();
  if (s.state == SetState::InProgress) return;
  // The manifest is renamed into place last: a run killed after that point left a committed set
  // (the next backup keeps it and only removes the staging folder), so it is judged by its manifest.
  if (s.state_reason == "crashed" && s.part("manifest.json").empty()) {
    s.state = SetState::Incomplete;
    s.state_reason = "left by an interrupted backup (cleaned by the next backup)";
    return;
  }
  s.state_reason.clear();
  auto mpath = s.part("manifest.json");
  if (!mpath.empty()) {
    try {
      s.manifest = parse_manifest(read_small_file(mpath), mpath.string());
    } catch (const std::exception& e) {
      s.state = SetState::Incomplete;
      s.state_reason = e.what();
      return;
    }
    // Hand-made manifests may lack a usable start: such a set keeps the date of its name.
    if (auto started = parse_utc_timestamp(s.manifest->started_at)) {
      s.time = *started;
      s.time_from_manifest = true;
    }
    std::vector<std::string> missing;
    for (const auto& f : s.manifest->files)
      if (!fs::exists(mpath.parent_path() / f.name)) missing.push_back(f.name);
    if (s.manifest->attachments_included && !s.parts.count("attachments")) missing.push_back(s.name.prefix + "-attachments/");
    if (!missing.empty()) {
      s.state = SetState::Incomplete;
      s.state_reason = "missing " + missing.front() + (missing.size() > 1 ? " and more" : "");
      return;
    }
    s.size_problems = size_mismatches(*s.manifest, mpath.parent_path(), s.part("attachments"));
    if (!s.size_problems.empty()) {
      s.state = SetState::Damaged;
      s.state_reason = s.size_problems.front();
      if (s.size_problems.size() > 1) s.state_reason += " (and " + std::to_string(s.size_problems.size() - 1) + " more)";
      return;
    }
    s.state = SetState::Complete;
    return;
  }
  if (has_roles && has_schema && has_data) {
    s.state = SetState::Legacy;
    s.state_reason = "no manifest";
    return;
  }
  s.state = SetState::Incomplete;
  std::string missing;
  if (!has_roles) missing += " roles.sql";
  if (!has_schema) missing += " schema.sql";
  if (!has_data) missing += " data.sql";
  s.state_reason = "missing" + missing;
}

}  // namespace

std::vector<SetInfo> scan_backup_dir(const fs::path& dir) {
  std::map<std::string, SetInfo> sets;
  for (const auto& entry : list_folder(dir)) {
    std::string fname = entry.path().filename().string();
    std::string staged_prefix;
    if (is_staging_name(fname, &staged_prefix)) {
      auto n = parse_prefix(staged_prefix);
      if (!n) continue;
      auto& s = sets[n->prefix];
      s.name = *n;
      s.staging = entry.path();
      if (staging_locked(entry.path())) {
        s.state = SetState::InProgress;
        s.state_reason = "a backup is writing it now";
      } else if (s.state != SetState::InProgress) {
        s.state_reason = "crashed";
      }
      continue;
    }
    auto p = parse_set_file_name(fname);
    if (!p) continue;
    auto& s = sets[p->name.prefix];
    s.name = p->name;
    s.parts[p->part] = entry.path();
  }
  std::vector<SetInfo> out;
  for (auto& [prefix, s] : sets) {
    s.time = s.name.time;
    for (const auto& [part, path] : s.parts) {
      if (part == "attachments") {
        auto t = measure_tree(path);
        s.attachments_bytes = t.bytes;
        s.attachment_files = t.files;
        s.unshared_disk_bytes += t.unshared_disk_bytes;
      } else {
        struct stat st{};
        if (::stat(path.c_str(), &st) == 0) {
          s.sql_bytes += static_cast<std::uint64_t>(st.st_size);
          s.unshared_disk_bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
        }
      }
    }
    // What a killed or running backup has written so far is on disk too: it counts.
    if (!s.staging.empty()) {
      auto all = measure_tree(s.staging);
      auto att = measure_tree(s.staging / "attachments");
      s.attachments_bytes += att.bytes;
      s.attachment_files += att.files;
      s.sql_bytes += all.bytes - att.bytes;
      s.unshared_disk_bytes += all.unshared_disk_bytes;
    }
    classify(s);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const SetInfo& a, const SetInfo& b) {
    if (a.time != b.time) return a.time > b.time;
    return a.name.prefix > b.name.prefix;
  });
  return out;
}

SetInfo find_set(const fs::path& backup_dir, const std::string& prefix_or_path) {
  fs::path dir = backup_dir;
  std::string prefix = prefix_or_path;
  if (prefix_or_path.find('/') != std::string::npos) {
    fs::path p(prefix_or_path);
    while (!p.empty() && p.filename().empty()) p = p.parent_path();  // trailing slash
    std::string fname = p.filename().string();
    if (auto part = parse_set_file_name(fname)) prefix = part->name.prefix;
    else prefix = fname;
    dir = p.parent_path();
  }
  if (!parse_prefix(prefix))
    throw UsageError("'" + prefix_or_path + "' is not a backup prefix: expected backup-YYYY-MM-DD-HHMMSS "
                     "(e.g. backup-2024-01-15-143022) or a path to one; run '" + suggest_command("list-backups", "list") +
                     "' to see them");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (ec.value() == EACCES || ec.value() == EPERM)
      throw folder_access_error(dir, ec.value(), "Cannot read the backup directory " + dir.string());
    throw UsageError("Backup directory does not exist: " + dir.string());
  }
  for (auto& s : scan_backup_dir(dir))
    if (s.name.prefix == prefix) return s;
  throw UsageError("Backup files not found for prefix: " + prefix + " in " + dir.string() +
                   "\n  Run '" + suggest_command("list-backups", "list") + "' to see the available backups.");
}

}  // namespace crm::engine
