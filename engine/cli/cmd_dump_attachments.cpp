// crmbackup-native dump attachments --output DIR [--json]
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "engine/attachments/attachments.hpp"
#include "engine/attachments/path_safety.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/cli/storage_options.hpp"
#include "engine/format/human.hpp"
#include "engine/io/progress.hpp"
#include "storage-api/json_string.hpp"
#include "storage-api/listing.hpp"

namespace crm::cli {
namespace {

struct DumpAttachmentsArgs {
  StorageOptions storage;
  OutputOptions printing;
  std::string output;
  bool json = false;
};

std::string object_json(const engine::ObjectRecord& r) {
  std::string out = "{\"path\":";
  storage::append_json_string(out, r.path);
  out += fmt::format(",\"size\":{},\"xxh3_128\":\"{}\",\"content_type\":", r.size, r.xxh3_128);
  storage::append_json_string(out, r.content_type);
  out += ",\"cache_control\":";
  storage::append_json_string(out, r.cache_control);
  out += ",\"etag\":";
  storage::append_json_string(out, r.etag);
  out += ",\"last_modified\":";
  storage::append_json_string(out, r.last_modified);
  out += "}";
  return out;
}

int run(const DumpAttachmentsArgs& a) {
  storage::StorageConfig cfg = a.storage.resolve();
  if (a.output.empty()) throw UsageError("--output DIR is required");
  engine::BackupAttachmentsOptions opts;
  HumanOutput human(std::cerr, a.printing.quiet);
  std::ostream& out = human.stream();
  opts.log = [&out](const std::string& m) { out << m << "\n"; };
  opts.show_progress = a.printing.show_progress();
  out << "Backing up attachments...\n";
  engine::BackupAttachmentsResult r = engine::backup_attachments(cfg, a.output, opts);
  if (a.json) {
    for (const auto& o : r.objects) std::cout << object_json(o) << "\n";
    std::cout.flush();
  }
  for (const auto& f : r.failures) std::cerr << "error: object '" << engine::printable_name(f.path) << "': " << f.reason << "\n";
  if (!r.ok()) {
    std::string what = fmt::format("{} of {} objects could not be backed up", r.failures.size(),
                                   r.failures.size() + r.objects.size());
    std::cerr << "✗ Attachments backup failed: " << what << " (listed above)\n";
    // Under --json the object lines are followed by one error object (the last line).
    return report_failure(a.json, "attachments_failed", what, "the objects are listed on standard error", kExitFailure);
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
  cmd->add_option("--output,-o", args->output, "folder to write the files into (created 0700)")->required();
  cmd->add_flag("--json", args->json, "print one JSON line per object (path, size, hash, content type) on stdout");
  args->storage.add_to(*cmd);
  args->printing.add_to(*cmd);
  cmd->callback([args, &reg] {
    reg.json = args->json;
    reg.verbose = args->printing.verbose;
    reg.action = [args] { return run(*args); };
  });
}

}  // namespace crm::cli
