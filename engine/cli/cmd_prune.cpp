// `prune`: retention on demand, with the same rules the backup applies after each run.
#include <iostream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/retention.hpp"
#include "engine/backupset/set_report.hpp"
#include "engine/backupset/staging.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/cli/json_option.hpp"
#include "engine/cli/retention_option.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/cli/repo_option.hpp"

namespace crm::cli {

void register_prune(CLI::App& app, Registry& reg) {
  struct Opts {
    RepoOption repo;
    int retention_days = 7;
    bool dry_run = false;
    JsonOption json;
    OutputOptions printing;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("prune", "delete backups older than the retention period (never the newest "
                                          "complete one, never one larger than it, never an incomplete one)");
  o->repo.add_to(*cmd, "folder holding the backups (default: $BACKUP_DIR; absolute)");
  add_retention_days_option(*cmd, o->retention_days, "keep backups younger than this many days, 1 to 36500 (default 7)");
  cmd->add_flag("--dry-run", o->dry_run, "only say what would be deleted");
  o->json.add_to(*cmd, "print one JSON document instead of text");
  o->printing.add_to(*cmd);
  cmd->callback([&reg, o] {
    o->json.hand_to(reg);
    reg.verbose = o->printing.verbose;
    reg.action = [o] {
      auto repository = o->repo.open(/*create=*/false);
      if (!o->dry_run)
        for (const auto& line : repository->clean_crashed_runs())
          if (!o->printing.quiet) std::cerr << "  " << line << "\n";
      auto plan = engine::plan_retention(repository->list_sets(), std::nullopt, std::time(nullptr),
                                         o->retention_days);
      auto done = o->dry_run ? plan.decisions
                             : engine::apply_retention([&](const std::string& p) { repository->remove_set(p); }, plan);
      if (!o->dry_run)
        for (const auto& line : repository->sweep_unreferenced())
          if (!o->printing.quiet) std::cerr << "  " << line << "\n";
      if (o->json) {
        engine::JsonWriter w;
        engine::write_retention_json(w, done, o->dry_run);
        std::cout << w.str() << "\n";
      } else {
        engine::print_retention(std::cout, done, o->dry_run, o->retention_days);
      }
      return kExitOk;
    };
  });
}

}  // namespace crm::cli
