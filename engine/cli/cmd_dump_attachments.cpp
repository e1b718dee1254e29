// crmbackup-native dump attachments --output DIR [--json]
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "engine/attachments/attachments.hpp"
#include "engine/backupset/path_safety.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/cli/json_option.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/cli/storage_options.hpp"
#include "engine/format/human.hpp"
#include "engine/io/io_error.hpp"
#include "engine/io/progress.hpp"
#include "engine/io/sink.hpp"
#include "engine/util/interrupt_guard.hpp"
#include "common/json_string.hpp"
#include "storage-api/listing.hpp"

namespace crm::cli {
namespace {
namespace fs = std::filesystem;

struct DumpAttachmentsArgs {
  StorageOptions storage;
  OutputOptions printing;
  std::string output;
  JsonOption json;
};

std::string object_json(const engine::ObjectRecord& r) {
  std::string out = "{\"path\":";
  crm::append_json_string(out, r.path);
  out += fmt::format(",\"size\":{},\"xxh3_128\":\"{}\",\"content_type\":", r.size, r.xxh3_128);
  crm::append_json_string(out, r.content_type);
  out += ",\"cache_control\":";
  crm::append_json_string(out, r.cache_control);
  out += ",\"etag\":";
  crm::append_json_string(out, r.etag);
  out += ",\"last_modified\":";
  crm::append_json_string(out, r.last_modified);
  out += "}";
  return out;
}

// The folder is written whole or not at all: the files go to a hidden sibling that is renamed
// to DIR once every file is on disk, and is removed on any failure (or interruption).
class StagedFolder {
 public:
  explicit StagedFolder(const fs::path& final_dir) : final_(fs::absolute(final_dir).lexically_normal()) {
    if (final_.filename().empty()) final_ = final_.parent_path();
    std::error_code ec;
    if (fs::exists(final_, ec) && (!fs::is_directory(final_, ec) || !fs::is_empty(final_, ec)))
      throw UsageError("--output " + final_.string() +
                       " already exists and is not an empty folder: choose a new one (it is written whole or not at all)");
    engine::create_private_directory(final_.parent_path());
    stage_ = final_.parent_path() / fmt::format(".{}.partial-{}", final_.filename().string(), ::getpid());
  }
  ~StagedFolder() { discard(); }
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  const fs::path& path() const { return stage_; }
  void discard() noexcept {
    if (done_) return;
    std::error_code ec;
    fs::remove_all(stage_, ec);
  }
  // Renames the staged folder (already fsynced) to its final name (replacing an empty folder).
  void commit() {
    if (::rename(stage_.c_str(), final_.c_str()) != 0)
      throw engine::io_error("cannot rename " + stage_.string() + " to", final_, errno, "output folder");
    done_ = true;
    engine::fsync_directory(final_.parent_path());
  }

 private:
  fs::path final_, stage_;
  bool done_ = false;
};

int run(const DumpAttachmentsArgs& a) {
  storage::StorageConfig cfg = a.storage.resolve();
  if (a.output.empty()) throw UsageError("--output DIR is required");
  // First, before the staged folder and any transfer thread: a signal then never takes the
  // default action with a partial tree on disk. The signal stops the transfers (cfg.cancelled)
  // and the staged folder is removed as the call unwinds; the guard's last-resort exit is for a
  // main thread that does not come back.
  engine::InterruptGuard guard("the partial folder was removed; nothing was written to " + a.output);
  cfg.cancelled = [&guard] { return guard.signal_number() != 0; };
  StagedFolder out(a.output);
  auto discard = guard.before_forced_exit([&out] { out.discard(); });
  engine::BackupAttachmentsOptions opts;
  HumanOutput human(std::cerr, a.printing.quiet);
  std::ostream& msg = human.stream();
  opts.log = [&msg](const std::string& m) { msg << m << "\n"; };
  opts.show_progress = a.printing.show_progress();
  opts.output_name = "output folder";
  msg << "Backing up attachments...\n";
  engine::BackupAttachmentsResult r;
  try {
    r = engine::backup_attachments(cfg, out.path(), opts);
  } catch (const std::exception&) {
    guard.throw_if_interrupted("dump attachments was stopped: the partial folder was removed");
    throw;
  }
  for (const auto& f : r.failures) std::cerr << "error: object '" << engine::printable_name(f.path) << "': " << f.reason << "\n";
  if (!r.ok()) {
    std::string what = fmt::format("{} of {} objects could not be backed up", r.failures.size(),
                                   r.failures.size() + r.objects.size());
    std::cerr << "✗ Attachments backup failed: " << what << " (listed above); nothing was written to " << a.output << "\n";
    return report_failure(a.json.enabled, "attachments_failed", what, "the objects are listed on standard error", kExitFailure);
  }
  guard.throw_if_interrupted("dump attachments was stopped: the partial folder was removed");
  out.commit();
  if (a.json) {
    for (const auto& o : r.objects) std::cout << object_json(o) << "\n";
    std::cout.flush();
  }
  std::cerr << "  ✓ Attachments backup completed!\n"
            << "    Files: " << engine::format_count(r.objects.size()) << "\n"
            << "    Size: " << engine::format_size_auto(r.bytes) << " (" << engine::format_mb(r.bytes) << ")\n";
  return kExitOk;
}

}  // namespace

void register_dump_attachments(CLI::App& dump, Registry& reg) {
  auto args = std::make_shared<DumpAttachmentsArgs>();
  auto* cmd = dump.add_subcommand("attachments", "download every file of the attachments bucket into a folder");
  cmd->add_option("--output,-o", args->output,
                  "new (or empty) folder to write the files into (0700; appears only when every file is on disk)")->required();
  args->json.add_to(*cmd, "print one JSON line per object (path, size, hash, content type) on stdout");
  args->storage.add_to(*cmd);
  args->printing.add_to(*cmd);
  cmd->callback([args, &reg] {
    args->json.hand_to(reg);
    reg.verbose = args->printing.verbose;
    reg.action = [args] { return run(*args); };
  });
}

}  // namespace crm::cli
