#pragma once
// verify, second half without a server: every SQL file of a set goes through the executor's
// splitter (an unparsable statement is reported at file:line), and the rows of each table in
// data.sql are hashed again and compared with the manifest, so an edited row names its table.
#include <string>
#include <vector>

#include "engine/backupset/backup_dir.hpp"
#include "engine/backupset/verify_files.hpp"

namespace crm::engine {

std::vector<VerifyProblem> verify_set_sql(const SetInfo& set);

}  // namespace crm::engine
