// `crmbackup-native dump roles`: roles.sql from the catalogs, to a file or standard output.
#include <unistd.h>

#include <memory>
#include <optional>

#include "engine/cli/cli_support.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/db_connect.hpp"
#include "engine/io/sink.hpp"
#include "engine/schema/roles_sql.hpp"
#include "pgwire/connection.hpp"

namespace crm::cli {

void register_dump_roles(CLI::App& dump, Registry& reg) {
  struct Opts {
    DbOptions db;
    OutputOptions printing;
    std::string output;
  };
  auto opts = std::make_shared<Opts>();
  auto* cmd = dump.add_subcommand("roles", "write roles.sql (roles, settings, memberships; never passwords)");
  opts->db.add_to(*cmd);
  opts->printing.add_to(*cmd);
  cmd->add_option("--output,-o", opts->output, "file to write (default: standard output)");
  cmd->callback([opts, &reg] {
    reg.verbose = opts->printing.verbose;
    reg.action = [opts] {
      auto conn = engine::connect_database(opts->db.resolve());
      pg::Transaction tx(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      if (opts->output.empty()) {
        engine::FdSink out(STDOUT_FILENO, "standard output");
        engine::schema::write_roles_sql(conn, out);
      } else {
        engine::AtomicFile out(opts->output);
        engine::schema::write_roles_sql(conn, out);
        out.commit();
      }
      tx.commit();
      return kExitOk;
    };
  });
}

}  // namespace crm::cli
