// `list`: the sets in BACKUP_DIR, newest first, in the old one-line format plus their state.
#include <iostream>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/set_report.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/cli/json_option.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/cli/repo_option.hpp"

namespace crm::cli {

void register_list(CLI::App& app, Registry& reg) {
  struct Opts {
    RepoOption repo;
    JsonOption json;
    OutputOptions printing;  // the listing is the result: --quiet changes nothing here
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("list", "list the backups in BACKUP_DIR, newest first");
  o->repo.add_to(*cmd, "folder holding the backups (default: $BACKUP_DIR; absolute)");
  o->json.add_to(*cmd, "print one JSON document instead of text");
  o->printing.add_to(*cmd);
  cmd->callback([&reg, o] {
    o->json.hand_to(reg);
    reg.verbose = o->printing.verbose;
    reg.action = [o] {
      auto repository = o->repo.open(/*create=*/false);
      const std::string dir = repository->display();
      auto sets = repository->list_sets();
      if (o->json) {
        engine::JsonWriter w;
        w.begin_object().field("ok", true).field("backup_dir", dir).key("backups").begin_array();
        for (const auto& s : sets) engine::write_set_json(w, s);
        w.end_array().end_object();
        std::cout << w.str() << "\n";
        return kExitOk;
      }
      if (sets.empty()) {
        std::cout << "No backups found in " << dir << "\n";
        return kExitOk;
      }
      std::cout << "Available backups in " << dir << ":\n\n";
      for (const auto& s : sets) std::cout << engine::set_list_line(s) << "\n";
      return kExitOk;
    };
  });
}

}  // namespace crm::cli
