// `crmbackup-native dump schema`: schema.sql from the catalogs, to a file or standard output.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>

#include "engine/cli/cli_support.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/db_connect.hpp"
#include "engine/io/sink.hpp"
#include "engine/schema/schema_sql.hpp"
#include "pgwire/connection.hpp"

namespace crm::cli {

void register_dump_schema(CLI::App& dump, Registry& reg) {
  struct Opts {
    DbOptions db;
    OutputOptions printing;
    std::string output;
    bool no_managed = false;
  };
  auto opts = std::make_shared<Opts>();
  auto* cmd = dump.add_subcommand("schema", "write schema.sql (pre-data, post-data, the application objects in auth/storage)");
  opts->db.add_to(*cmd);
  opts->printing.add_to(*cmd);
  cmd->add_option("--output,-o", opts->output, "file to write (default: standard output)");
  cmd->add_flag("--no-managed-schema-objects", opts->no_managed,
                "leave out the application's triggers and policies on auth/storage tables");
  cmd->callback([opts, &reg] {
    reg.verbose = opts->printing.verbose;
    reg.action = [opts] {
      auto conn = engine::connect_database(opts->db.resolve());
      pg::Transaction tx(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      engine::schema::SchemaOptions sopts;
      sopts.managed_schema_objects = !opts->no_managed;
      engine::schema::SchemaDumpResult result;
      if (opts->output.empty()) {
        engine::FdSink out(STDOUT_FILENO, "standard output");
        result = engine::schema::write_schema_sql(conn, out, sopts);
      } else {
        engine::AtomicFile out(opts->output);
        result = engine::schema::write_schema_sql(conn, out, sopts);
        out.commit();
      }
      tx.commit();
      for (const auto& w : result.warnings) std::cerr << "warning: " << w << "\n";
      return kExitOk;
    };
  });
}

}  // namespace crm::cli
