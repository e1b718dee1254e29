#include "engine/restore/restore_prompt.hpp"

#include <istream>
#include <ostream>

#include "engine/format/human.hpp"

namespace crm::engine {

void print_restore_summary(std::ostream& out, const SetInfo& set, bool with_attachments) {
  auto size_of = [&](const std::string& part) -> std::uint64_t {
    std::error_code ec;
    auto p = set.part(part);
    if (p.empty()) return 0;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? 0 : n;
  };
  out << "Database and Attachments Restore\n================================\n";
  out << "Backup prefix: " << set.name.prefix << "\n";
  out << "Backup directory: " << set.part(set.parts.begin()->first).parent_path().string() << "\n";
  out << "  - Roles: " << set.name.prefix << "-roles.sql (" << format_mb(size_of("roles.sql")) << ")\n";
  out << "  - Schema: " << set.name.prefix << "-schema.sql (" << format_mb(size_of("schema.sql")) << ")\n";
  std::string data = set.data_part();
  out << "  - Data: " << set.name.prefix << "-" << data << " (" << format_mb(size_of(data)) << ")\n";
  if (set.parts.count("attachments"))
    out << "  - Attachments: " << set.name.prefix << "-attachments (" << format_size_auto(set.attachments_bytes)
        << (with_attachments ? "" : ", skipped: --no-attachments") << ")\n";
  else
    out << "  - Attachments: none in this backup (the bucket is left as it is)\n";
  out << "Total size: " << format_gb(set.total_bytes()) << " (" << format_mb(set.total_bytes()) << ")\n";
  out << "Date: " << format_us_datetime(set.local_time()) << "\n";
  out << "Backup state: " << to_string(set.state);
  if (!set.state_reason.empty()) out << " (" << set.state_reason << ")";
  out << "\n";
  if (set.manifest && !set.manifest->warnings.empty()) {
    out << "The backup recorded what it left out:\n";
    for (const auto& w : set.manifest->warnings) out << "  \xE2\x9A\xA0 " << w << "\n";
  }
  out << "\n";
  out << "\xE2\x9A\xA0\xEF\xB8\x8F  WARNING: This operation will:\n";
  out << "   1. Replace the entire database with the backup\n";
  if (with_attachments && set.parts.count("attachments")) out << "   2. Replace all attachments with the backup\n";
  else out << "   2. Leave the attachments bucket as it is\n";
  out << "   3. All current data will be lost\n";
  out << "   4. This cannot be undone!\n\n";
}

Confirmation confirm_restore(bool assume_yes, std::istream& in, std::ostream& out, bool stdin_is_terminal) {
  if (assume_yes) return Confirmation::Yes;
  if (!stdin_is_terminal) return Confirmation::NoTerminal;
  out << "? Are you sure you want to proceed with the restore? (y/N) " << std::flush;
  std::string answer;
  if (!std::getline(in, answer)) return Confirmation::No;
  while (!answer.empty() && (answer.back() == ' ' || answer.back() == '\r')) answer.pop_back();
  return (answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes")
             ? Confirmation::Yes
             : Confirmation::No;
}

}  // namespace crm::engine
