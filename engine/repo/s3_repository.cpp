#include "engine/repo/s3_repository.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "engine/backupset/set_name.hpp"
#include "engine/errors.hpp"
#include "engine/format/human.hpp"

namespace crm::engine::repo {

namespace {

constexpr std::string_view kAttachmentsPart = "attachments";

struct ListedSet {
  SetInfo info;
  std::map<std::string, std::uint64_t> sizes;  // name below the root -> size
  std::optional<s3::ObjectInfo> lock;
};

void classify(s3::Client& c, ListedSet& ls, const LockTiming& timing, std::time_t now) {
  SetInfo& s = ls.info;
  s.time = s.name.time;
  s.unshared_disk_bytes = s.total_bytes();  // nothing is shared between sets yet
  const std::string manifest_name = s.name.prefix + "-manifest.json";
  if (!ls.sizes.count(manifest_name)) {
    // Never Legacy here: parts without a manifest are a backup that did not finish.
    if (ls.lock && lock_is_live(c, *ls.lock, timing, now)) {
      s.state = SetState::InProgress;
      s.state_reason = "a backup is writing it now";
    } else {
      s.state = SetState::Incomplete;
      s.state_reason = "no manifest (an interrupted backup)";
    }
    return;
  }
  std::string json;
  try {
    c.get_object(c.key_for(manifest_name), [&](std::string_view d) { json.append(d); });
    s.manifest = parse_manifest(json, "s3://" + c.config().location.bucket + "/" + c.key_for(manifest_name));
  } catch (const ManifestError& e) {
    s.state = SetState::Incomplete;
    s.state_reason = std::string("unreadable manifest: ") + e.what();
    return;
  }
  if (auto t = parse_utc_timestamp(s.manifest->started_at)) {
    s.time = *t;
    s.time_from_manifest = true;
  }
  std::vector<std::string> missing;
  for (const auto& f : s.manifest->files) {
    auto it = ls.sizes.find(f.name);
    if (it == ls.sizes.end()) missing.push_back(f.name);
    else if (it->second != f.size)
      s.size_problems.push_back(f.name + ": expected " + std::to_string(f.size) + " bytes, found " +
                                std::to_string(it->second));
  }
  for (const auto& o : s.manifest->objects) {
    std::string name = s.name.prefix + "-attachments/" + o.path;
    auto it = ls.sizes.find(name);
    if (it == ls.sizes.end()) missing.push_back(name);
    else if (it->second != o.size)
      s.size_problems.push_back(name + ": expected " + std::to_string(o.size) + " bytes, found " +
                                std::to_string(it->second));
  }
  if (!missing.empty()) {
    s.state = SetState::Incomplete;
    s.state_reason = "missing " + missing.front() + (missing.size() > 1 ? " and more" : "");
  } else if (!s.size_problems.empty()) {
    s.state = SetState::Damaged;
    s.state_reason = s.size_problems.front();
    if (s.size_problems.size() > 1) s.state_reason += " (and " + std::to_string(s.size_problems.size() - 1) + " more)";
  } else {
    s.state = SetState::Complete;
  }
}

}  // namespace

S3Repository::S3Repository(S3RepositoryOptions opts) : opts_(std::move(opts)), client_(opts_.config) {}

std::string S3Repository::display() const {
  return "s3://" + opts_.config.location.bucket + "/" + opts_.config.location.prefix;
}

std::vector<SetInfo> S3Repository::list_sets() {
  const std::string root = client_.key_for("");
  std::map<std::string, ListedSet> sets;
  for (const auto& o : client_.list_all(root)) {
    std::string_view rel = std::string_view(o.key).substr(root.size());
    if (std::string lp = lock_prefix_of(rel); !lp.empty()) {
      auto& ls = sets[lp];
      ls.info.name = *parse_prefix(lp);
      ls.lock = o;
      continue;
    }
    auto p = parse_set_file_name(rel.substr(0, rel.find('/')));
    if (!p) continue;
    auto& ls = sets[p->name.prefix];
    ls.info.name = p->name;
    ls.sizes[std::string(rel)] = o.size;
    if (p->part == kAttachmentsPart) {
      ls.info.attachments_bytes += o.size;
      ++ls.info.attachment_files;
      ls.info.parts[p->part] = root + p->name.prefix + "-attachments";
    } else {
      ls.info.sql_bytes += o.size;
      ls.info.parts[p->part] = o.key;
    }
  }
  std::vector<SetInfo> out;
  std::time_t now = std::time(nullptr);
  for (auto& [prefix, ls] : sets) {
    classify(client_, ls, opts_.lock, now);
    out.push_back(std::move(ls.info));
  }
  std::sort(out.begin(), out.end(), [](const SetInfo& a, const SetInfo& b) {
    if (a.time != b.time) return a.time > b.time;
    return a.name.prefix > b.name.prefix;
  });
  return out;
}

SetInfo S3Repository::find_set(const std::string& prefix) {
  if (!parse_prefix(prefix))
    throw UsageError("'" + prefix + "' is not a backup prefix: expected backup-YYYY-MM-DD-HHMMSS "
                     "(e.g. backup-2024-01-15-143022); run 'list --repo " + display() + "' to see them");
  for (auto& s : list_sets())
    if (s.name.prefix == prefix) return s;
  throw UsageError("Backup files not found for prefix: " + prefix + " in " + display() + "\n  Run 'list --repo " +
                   display() + "' to see the available backups.");
}

std::vector<std::string> S3Repository::set_keys(const std::string& prefix) {
  std::vector<std::string> keys;
  for (const auto& o : client_.list_all(client_.key_for(prefix + "-"))) keys.push_back(o.key);
  return keys;
}

void S3Repository::remove_set(const std::string& prefix) {
  const std::string manifest = client_.key_for(prefix + "-manifest.json");
  client_.delete_object(manifest);  // first: from here on the set is incomplete, never complete-looking
  std::vector<std::string> keys;
  for (auto& k : set_keys(prefix))
    if (k != manifest) keys.push_back(std::move(k));
  auto outcome = client_.delete_objects(keys);
  if (!outcome.errors.empty())
    throw std::runtime_error("cannot delete " + outcome.errors.front().key + " from " + display() + ": " +
                             outcome.errors.front().code + " " + outcome.errors.front().message +
                             (outcome.errors.size() > 1 ? " (and " + std::to_string(outcome.errors.size() - 1) + " more)" : ""));
}

std::vector<std::string> S3Repository::clean_crashed_runs() {
  std::vector<std::string> removed;
  const std::string root = client_.key_for("");
  std::time_t now = std::time(nullptr);
  for (const auto& o : client_.list_all(client_.key_for(std::string(kLockFolder)))) {
    std::string prefix = lock_prefix_of(std::string_view(o.key).substr(root.size()));
    if (prefix.empty() || lock_is_live(client_, o, opts_.lock, now)) continue;
    // A manifest means the backup committed and died before removing its lock: keep the set.
    if (!client_.head_object(client_.key_for(prefix + "-manifest.json"))) {
      auto keys = set_keys(prefix);
      auto outcome = client_.delete_objects(keys);
      if (!outcome.errors.empty()) {
        removed.push_back("could not remove every object of " + prefix + " (left by an interrupted backup): " +
                          outcome.errors.front().key + ": " + outcome.errors.front().code);
        continue;  // the lock stays, so the next run tries again
      }
      if (!keys.empty())
        removed.push_back("removed " + std::to_string(keys.size()) + " object(s) of " + prefix +
                          " (left by an interrupted backup)");
    }
    client_.delete_object(o.key);  // last: while it exists the crash is still recognised
    removed.push_back("removed the lock of " + prefix + " (left by an interrupted backup)");
  }
  return removed;
}

}  // namespace crm::engine::repo
