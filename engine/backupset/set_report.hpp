#pragma once
// How sets are shown to people and machines: the old list line, the JSON form, and the
// retention report shared by `backup` and `prune`.
#include <ostream>
#include <string>
#include <vector>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/retention.hpp"
#include "engine/format/json_writer.hpp"

namespace crm::engine {

// "backup-2024-01-15-143022 (12.00 GB / 12290.45 MB, attachments: 12.00 GB, 1/15/2024, 2:30:22 PM) [complete]"
// The date is the set's time (SetInfo::time) in this machine's zone; the JSON "time" is the
// same instant in UTC ("...Z"), whatever TZ is.
std::string set_list_line(const SetInfo& s);
void write_set_json(JsonWriter& w, const SetInfo& s);

void print_retention(std::ostream& out, const std::vector<RetentionDecision>& decisions, bool dry_run,
                     int retention_days);
void write_retention_json(JsonWriter& w, const std::vector<RetentionDecision>& decisions, bool dry_run);

}  // namespace crm::engine
