#include <stdexcept>

#include "engine/backup/backup_phases.hpp"
#include "engine/format/human.hpp"
#include "engine/repo/folder_repository.hpp"

namespace crm::engine::backup_phase {
namespace fs = std::filesystem;

namespace {

void report_reuse(std::ostream& out, const PreviousSetReuse& reuse) {
  const auto& rs = reuse.stats();
  out << "  Reused " << format_count(rs.linked + rs.copied) << " unchanged files from " << reuse.from_prefix() << " ("
      << format_count(rs.linked) << " hard links, " << format_count(rs.copied) << " local copies, "
      << format_mb(rs.bytes) << "); " << format_count(rs.changed) << " changed";
  if (rs.corrupt) out << ", " << format_count(rs.corrupt) << " damaged in the previous set and downloaded afresh";
  out << "\n";
}

}  // namespace

BackupAttachmentsResult back_up_attachments(const RunContext& run, const storage::StorageConfig& storage_cfg,
                                            repo::Repository& repository, repo::SetReservation& writer,
                                            PreviousSetReuse* reuse, SetEncryption* encryption) {
  const BackupOptions& o = run.opts;
  std::ostream& out = run.out;
  BackupAttachmentsResult att;
  if (!o.attachments) return att;
  out << "Backing up attachments...\n" << std::flush;
  BackupAttachmentsOptions ao;
  ao.log = [&](const std::string& line) { out << line << "\n" << std::flush; };
  ao.show_progress = o.show_progress;
  const bool folder = dynamic_cast<repo::FolderRepository*>(&repository) != nullptr;
  // A folder set's files must survive a crash (an encrypted one's too: they are encrypted as
  // they stream in); a remote repository's staging copies are sent on and removed, or replaced
  // by the sealed blobs, flushed at once.
  ao.durable = folder;
  // A folder set's attachments are encrypted as they stream in. An S3 blob is bound to its
  // name, the keyed hash of the whole content, so its encryption waits for sealing; the name
  // is computed as the bytes stream in.
  if (encryption && folder)
    ao.transform = [encryption, prefix = writer.prefix()](const std::string& path, storage::BodyTransform::Output sink) {
      return encryption->encrypt_download(prefix, path, std::move(sink));
    };
  else if (encryption)
    ao.transform = [encryption](const std::string& path, storage::BodyTransform::Output sink) {
      return encryption->name_download(path, std::move(sink));
    };
  // Sent on as each one lands, while the rest download; never an encrypted set's, whose staged
  // files are plaintext until sealed.
  if (!encryption)
    ao.on_landed = [&writer](const std::string& name, const fs::path& file, std::uint64_t size,
                             const std::string& xxh3) { writer.attachment_ready(name, file, size, xxh3); };
  if (reuse && reuse->active())
    ao.reuse = [reuse](const storage::ObjectEntry& listed, const fs::path& dest) { return reuse->reuse(listed, dest); };
  else if (!folder && !o.full_download)  // may be empty: download everything
    ao.reuse = encryption ? encryption->stored_attachment_reuse(repository, writer.prefix())
                          : repository.stored_attachment_reuse(writer.prefix());
  try {
    att = engine::backup_attachments(storage_cfg, writer.staging_path("attachments"), ao);
  } catch (const std::exception&) {
    run.guard.throw_if_interrupted(kStopped);
    throw;
  }
  if (reuse && reuse->active()) report_reuse(out, *reuse);
  if (!att.ok()) {
    out << "  ✗ " << att.failures.size() << " attachment(s) could not be backed up:\n";
    for (const auto& f : att.failures) out << "    " << f.path << ": " << f.reason << "\n";
    throw std::runtime_error(std::to_string(att.failures.size()) +
                             " attachment(s) failed; the unfinished backup was removed and older backups are untouched");
  }
  out << "  ✓ Attachments backup completed!\n";
  out << "    Files: " << format_count(att.objects.size()) << "\n";
  out << "    Size: " << format_gb(att.bytes) << " (" << format_mb(att.bytes) << ")\n";
  return att;
}

}  // namespace crm::engine::backup_phase
