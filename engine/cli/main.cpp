// crmbackup-native: back up and restore an Atomic CRM on Supabase without external tools.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"crmbackup-native " CRM_VERSION
               " - backs up and restores a Supabase-hosted Atomic CRM (roles, schema, data, attachments)"};
  app.set_version_flag("--version", std::string("crmbackup-native ") + CRM_VERSION);
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
  }
  return 0;
}
