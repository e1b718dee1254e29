#include "engine/backupset/verify_files.hpp"

#include <functional>
#include <set>

#include "engine/backupset/size_check.hpp"
#include "engine/io/hash.hpp"

namespace crm::engine {
namespace fs = std::filesystem;

namespace {

void check_file(const fs::path& path, const std::string& display, std::uint64_t size, const std::string& hash,
                std::vector<VerifyProblem>& out, const VerifyFilesOptions& opts) {
  if (auto p = part_size_problem(path, size)) {
    out.push_back({display, p->kind, p->detail});
    return;
  }
  std::string actual;
  try {
    actual = xxh3_128_file(path);
  } catch (const std::exception& e) {
    out.push_back({display, "missing", e.what()});
    return;
  }
  if (opts.on_bytes) opts.on_bytes(size);
  if (actual != hash) out.push_back({display, "hash", "XXH3-128 expected " + hash + ", found " + actual});
}

}  // namespace

std::vector<VerifyProblem> verify_set_files(const SetInfo& set, const VerifyFilesOptions& opts) {
  std::vector<VerifyProblem> out;
  const std::string& prefix = set.name.prefix;
  if (!set.manifest) {
    auto mpath = set.part("manifest.json");
    if (!mpath.empty()) {
      out.push_back({mpath.filename().string(), "manifest", set.state_reason});
      return out;
    }
    out.push_back({prefix, "legacy", "no manifest (made by the old scripts?): sizes and hashes cannot be checked"});
    for (auto part : {"roles.sql", "schema.sql"})
      if (set.part(part).empty()) out.push_back({prefix + "-" + part, "missing", "required file is missing"});
    if (set.data_part().empty()) out.push_back({prefix + "-data.sql", "missing", "required file is missing"});
    return out;
  }
  const Manifest& m = *set.manifest;
  fs::path dir = set.part("manifest.json").parent_path();
  std::set<std::string> listed = {prefix + "-manifest.json"};
  for (auto role : {"roles", "schema", "data"})
    if (!m.file_with_role(role))
      out.push_back({prefix + "-" + role + ".sql", "manifest", std::string("the manifest lists no ") + role + " file"});
  for (const auto& f : m.files) {
    listed.insert(f.name);
    check_file(dir / f.name, f.name, f.size, f.xxh3_128, out, opts);
  }
  for (const auto& [part, path] : set.parts) {
    std::string fname = path.filename().string();
    if (part == "attachments") continue;
    if (!listed.count(fname)) out.push_back({fname, "extra", "on disk but not in the manifest"});
  }
  if (!opts.attachments) return out;
  fs::path att = set.part("attachments");
  std::string att_name = prefix + "-attachments";
  if (m.attachments_included && att.empty()) {
    out.push_back({att_name + "/", "missing", "the attachments folder is missing"});
    return out;
  }
  std::set<std::string> expected;
  for (const auto& o : m.objects) {
    expected.insert(o.path);
    if (att.empty()) continue;
    check_file(att / o.path, att_name + "/" + o.path, o.size, o.xxh3_128, out, opts);
  }
  if (att.empty()) return out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(att, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory()) continue;
    std::string rel = fs::relative(it->path(), att).generic_string();
    if (!expected.count(rel)) out.push_back({att_name + "/" + rel, "extra", "on disk but not in the manifest"});
  }
  return out;
}

}  // namespace crm::engine
