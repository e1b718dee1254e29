#pragma once
// What the old restore showed before touching anything, and its (y/N) question.
#include <iosfwd>
#include <string>

#include "engine/backupset/backup_dir.hpp"

namespace crm::engine {

void print_restore_summary(std::ostream& out, const SetInfo& set, bool with_attachments);

enum class Confirmation { Yes, No, NoTerminal };
// --yes answers for the user; without it a terminal is asked (default no) and anything else
// is refused, so a cron job can never restore by accident.
Confirmation confirm_restore(bool assume_yes, std::istream& in, std::ostream& out, bool stdin_is_terminal);

}  // namespace crm::engine
