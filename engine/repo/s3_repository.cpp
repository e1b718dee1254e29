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

bool blob_hash_ok(std::string_view h) {
  // 32 digits: XXH3-128 names; 64: keyed BLAKE2b names of encrypted sets.
  return (h.size() == 32 || h.size() == 64) && h.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

struct ListedSet {
  SetInfo info;
  std::map<std::string, std::uint64_t> sizes;  // name below the root -> size
  std::optional<s3::ObjectInfo> lock;
};

void classify(s3::Client& c, ListedSet& ls, const std::map<std::string, std::uint64_t>& blobs,
              const LockTiming& timing, std::time_t now) {
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
  const bool blob_layout = uses_blobs(*s.manifest);
  if (blob_layout && s.manifest->attachments_included) {
    s.attachments_bytes = s.manifest->attachments_bytes();
    s.attachment_files = s.manifest->objects.size();
    s.parts["attachments"] = c.key_for(s.name.prefix + "-attachments");  // named as in a folder; the bytes are blobs
  }
  for (const auto& o : s.manifest->objects) {
    std::string name = s.name.prefix + "-attachments/" + o.path;
    const auto& where = blob_layout ? blobs : ls.sizes;
    auto it = where.find(blob_layout ? o.blob_name() : name);
    if (blob_layout && it == where.end()) missing.push_back(std::string(kBlobFolder) + o.blob_name() + " (" + name + ")");
    else
    if (it == where.end()) missing.push_back(name);
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

bool uses_blobs(const Manifest& m) {
  auto it = m.options.find("attachments_layout");
  return it != m.options.end() && it->second == "blobs";
}

S3Repository::S3Repository(S3RepositoryOptions opts) : opts_(std::move(opts)), client_(opts_.config) {}

std::string S3Repository::display() const {
  return "s3://" + opts_.config.location.bucket + "/" + opts_.config.location.prefix;
}

std::vector<SetInfo> S3Repository::list_sets() {
  const std::string root = client_.key_for("");
  std::map<std::string, ListedSet> sets;
  std::map<std::string, std::uint64_t> blobs;
  for (const auto& o : client_.list_all(root)) {
    std::string_view rel = std::string_view(o.key).substr(root.size());
    if (rel.substr(0, kBlobFolder.size()) == kBlobFolder) {
      blobs[std::string(rel.substr(kBlobFolder.size()))] = o.size;
      continue;
    }
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
  std::map<std::string, int> blob_refs;  // hash -> sets that list it
  for (auto& [prefix, ls] : sets) {
    classify(client_, ls, blobs, opts_.lock, now);
    if (ls.info.manifest && uses_blobs(*ls.info.manifest)) {
      std::set<std::string> own;
      for (const auto& o : ls.info.manifest->objects) own.insert(o.blob_name());
      for (const auto& h : own) ++blob_refs[h];
    }
  }
  for (auto& [prefix, ls] : sets) {
    SetInfo& s = ls.info;
    if (s.manifest && uses_blobs(*s.manifest)) {
      // What deleting this set frees: its own objects and the blobs no other set lists.
      s.unshared_disk_bytes = s.sql_bytes;
      std::set<std::string> own;
      for (const auto& o : s.manifest->objects)
        if (own.insert(o.blob_name()).second && blob_refs[o.blob_name()] == 1) s.unshared_disk_bytes += o.size;
    }
    out.push_back(std::move(s));
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

std::map<std::string, std::uint64_t> S3Repository::blob_sizes() {
  std::map<std::string, std::uint64_t> out;
  const std::string folder = client_.key_for(std::string(kBlobFolder));
  for (const auto& o : client_.list_all(folder)) out[o.key.substr(folder.size())] = o.size;
  return out;
}

std::vector<std::string> S3Repository::sweep_unreferenced() {
  // Mark: every blob a manifest lists. A manifest that cannot be read stops the sweep: its
  // blobs would look unreferenced.
  const std::string root = client_.key_for("");
  std::set<std::string> referenced;
  std::vector<s3::ObjectInfo> blobs, locks;
  for (const auto& o : client_.list_all(root)) {
    std::string_view rel = std::string_view(o.key).substr(root.size());
    if (rel.substr(0, kBlobFolder.size()) == kBlobFolder) {
      blobs.push_back(o);
      continue;
    }
    if (!lock_prefix_of(rel).empty()) {
      locks.push_back(o);
      continue;
    }
    auto p = parse_set_file_name(rel);
    if (!p || p->part != "manifest.json") continue;
    std::string json;
    try {
      client_.get_object(o.key, [&](std::string_view d) { json.append(d); });
      Manifest m = parse_manifest(json, display() + std::string(rel));
      for (const auto& ob : m.objects) referenced.insert(ob.blob_name());
    } catch (const std::exception& e) {
      return {"kept every attachment blob: " + std::string(rel) + " cannot be read (" + e.what() + ")"};
    }
  }
  // Sweep: unreferenced and older than the grace period; nothing while a backup runs (it may
  // be about to list a blob it found already stored).
  std::time_t now = std::time(nullptr);
  std::vector<std::string> doomed;
  std::uint64_t bytes = 0;
  for (const auto& b : blobs) {
    std::string hash = b.key.substr(root.size() + kBlobFolder.size());
    if (referenced.count(hash) || !blob_hash_ok(hash)) continue;
    auto modified = parse_utc_timestamp(b.last_modified);
    if (!modified || std::difftime(now, *modified) < static_cast<double>(opts_.blob_grace.count())) continue;
    doomed.push_back(b.key);
    bytes += b.size;
  }
  if (doomed.empty()) return {};
  for (const auto& l : locks)
    if (lock_is_live(client_, l, opts_.lock, now))
      return {"kept " + std::to_string(doomed.size()) + " unreferenced attachment blob(s): a backup is running"};
  auto outcome = client_.delete_objects(doomed);
  std::vector<std::string> lines = {"removed " + std::to_string(outcome.deleted.size()) +
                                    " attachment blob(s) no backup refers to any more (" + format_mb(bytes) + ")"};
  if (!outcome.errors.empty())
    lines.push_back("could not remove " + std::to_string(outcome.errors.size()) + " blob(s): " +
                    outcome.errors.front().key + ": " + outcome.errors.front().code);
  return lines;
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
