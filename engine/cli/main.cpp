// crmbackup-native: back up and restore an Atomic CRM on Supabase without external tools.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string_view>

#include "engine/cli/cli_support.hpp"
#include "engine/cli/json_option.hpp"

int main(int argc, char** argv) {
  using namespace crm::cli;
  CLI::App app{"crmbackup-native " CRM_VERSION
               " - backs up and restores a Supabase-hosted Atomic CRM (roles, schema, data, attachments)"};
  app.set_version_flag("--version", std::string("crmbackup-native ") + CRM_VERSION);
  app.require_subcommand(0, 1);
  Registry reg;

  register_backup(app, reg);
  register_list(app, reg);
  register_restore(app, reg);
  register_verify(app, reg);
  register_prune(app, reg);
  register_passphrase(app, reg);

  auto* dump = app.add_subcommand("dump", "write one part of a backup (roles, schema, data, attachments)");
  dump->require_subcommand(1);
  register_dump_roles(*dump, reg);
  register_dump_schema(*dump, reg);
  register_dump_data(*dump, reg);
  register_dump_attachments(*dump, reg);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    if (rc == 0) return kExitOk;  // --help, --version
    // A script that asked for --json gets its one object even when the flags are wrong.
    for (int i = 1; i < argc; ++i)
      if (std::string_view(argv[i]) == JsonOption::kFlag) return report_failure(true, "usage", e.what(), "see --help", kExitUsage);
    return kExitUsage;
  }
  if (!reg.action) {
    // No command is a usage error: the help goes where errors go, and scripts see exit code 2.
    std::cerr << app.help() << "error: a command is required (backup, list, restore, verify, prune, passphrase or dump)\n";
    return kExitUsage;
  }
  return run_guarded(reg.action, reg.json, reg.verbose);
}
