// `backup`: the nightly job (what `make backup-database` runs).
#include <iostream>

#include "engine/backup/backup_runner.hpp"
#include "engine/backupset/backup_dir.hpp"
#include "engine/cli/cli_support.hpp"
#include "engine/cli/json_option.hpp"
#include "engine/cli/jobs_option.hpp"
#include "engine/cli/passphrase_option.hpp"
#include "engine/cli/retention_option.hpp"
#include "engine/cli/output_options.hpp"
#include "engine/cli/repo_option.hpp"
#include "engine/cli/lock_timeout_option.hpp"
#include "engine/cli/storage_options.hpp"
#include "engine/data/data_dump.hpp"
#include "engine/repo/copy_targets.hpp"

namespace crm::cli {

namespace {

// An S3 set is encrypted whenever a passphrase is configured, a folder set only with
// --encrypt (the folder layout promises readable SQL files). Null: a plain set.
std::shared_ptr<const crypto::DataKey> backup_encryption_key(engine::repo::Repository& repo, bool encrypt_flag,
                                                             const PassphraseOption& option, std::ostream& out) {
  auto passphrase = option.resolve();
  if (encrypt_flag && !passphrase)
    throw UsageError("--encrypt needs a passphrase: give --passphrase-file FILE, or set CRMBACKUP_PASSPHRASE_FILE or "
                     "CRMBACKUP_PASSPHRASE");
  if (!passphrase) {
    if (!repo.is_folder())
      out << "\u26a0 Warning: no passphrase is configured: this backup is stored in clear in " << repo.display()
          << " (set CRMBACKUP_PASSPHRASE_FILE to encrypt it)\n" << std::flush;
    return nullptr;
  }
  if (repo.is_folder() && !encrypt_flag) return nullptr;
  return std::make_shared<const crypto::DataKey>(engine::repo::unlock_repository_key(
      repo, *passphrase, /*create=*/true, [&out](const std::string& l) { out << "  " << l << "\n" << std::flush; }));
}

}  // namespace

void register_backup(CLI::App& app, Registry& reg) {
  struct Opts {
    RepoOption repo;
    DbOptions db;
    LockTimeoutOption lock_timeout;
    StorageOptions storage;
    OutputOptions printing;
    unsigned jobs = 0;
    std::string compress;
    bool no_attachments = false;
    int retention_days = 7;
    bool no_retention = false;
    bool no_managed = false;
    bool full = false;
    JsonOption json;
    std::vector<std::string> copy_to;
    bool encrypt = false;
    PassphraseOption passphrase;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("backup", "back up roles, schema, data and the attachments bucket into BACKUP_DIR, "
                                           "then delete backups older than the retention period");
  o->repo.add_to(*cmd, "folder for the backups (default: $BACKUP_DIR; absolute; created 0700)");
  o->db.add_to(*cmd);
  o->lock_timeout.add_to(*cmd);
  o->storage.add_to(*cmd);
  o->printing.add_to(*cmd);
  add_jobs_option(*cmd, o->jobs);
  cmd->add_option("--compress", o->compress, "zstd or zstd:LEVEL: write data.sql.zst instead of data.sql");
  cmd->add_flag("--no-attachments", o->no_attachments, "back up only the database");
  add_retention_days_option(*cmd, o->retention_days, "delete backups older than this many days, 1 to 36500 (default 7)");
  cmd->add_flag("--no-retention", o->no_retention, "keep every older backup");
  cmd->add_flag("--no-managed-schema-objects", o->no_managed,
                "leave the application's triggers/policies on auth.* and storage.* out of schema.sql");
  cmd->add_flag("--full", o->full, "download every attachment even when the previous backup has it");
  cmd->add_option("--copy-to", o->copy_to,
                  "after the backup, copy it (and every backup the target lacks) to this repository: "
                  "s3://BUCKET/PREFIX or an absolute folder; repeatable (default: $BACKUP_COPY_TO, "
                  "separated by spaces or commas)")
      ->allow_extra_args(false);
  o->json.add_to(*cmd, "print a JSON summary on stdout (the progress lines go to stderr)");
  cmd->add_flag("--encrypt", o->encrypt, "encrypt a set in a folder repository (needs a passphrase); a set in an S3 "
                                         "repository is encrypted whenever a passphrase is configured");
  o->passphrase.add_to(*cmd, "the passphrase that encrypts the set");
  cmd->callback([&reg, o] {
    o->json.hand_to(reg);
    reg.verbose = o->printing.verbose;
    reg.action = [o] {
      engine::BackupOptions b;
      b.repository = o->repo.open(/*create=*/true);
      b.copy_to = engine::repo::open_copy_targets(o->copy_to, *b.repository);
      b.db = o->db.resolve();
      b.lock_timeout = o->lock_timeout.resolve();
      b.jobs = o->jobs ? o->jobs : engine::default_dump_jobs();
      if (int level = parse_compress(o->compress)) b.zstd_level = level;
      b.attachments = !o->no_attachments;
      if (b.attachments) b.storage = o->storage.resolve();
      b.retention_days = o->retention_days;
      b.apply_retention = !o->no_retention;
      b.managed_schema_objects = !o->no_managed;
      b.full_download = o->full;
      b.show_progress = o->printing.show_progress();
      HumanOutput human(o->json.human_lines(), o->printing.quiet);
      b.encryption_key = backup_encryption_key(*b.repository, o->encrypt, o->passphrase, human.stream());
      b.unlock_key = o->passphrase.unlocker(human.stream());
      b.copy_target_key = o->passphrase.unlocker(human.stream(), /*create=*/true);
      auto outcome = engine::run_backup(b, human.stream());
      if (o->json) std::cout << outcome.json << "\n";
      else if (o->printing.quiet) std::cout << "\u2713 Backup " << outcome.prefix << " completed: " << outcome.manifest_path.string() << "\n";
      return outcome.exit_code;
    };
  });
}

}  // namespace crm::cli
