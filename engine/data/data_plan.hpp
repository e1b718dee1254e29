#pragma once
// The order of data.sql and the COPY statements that fill it. Tables are scheduled largest
// first and the file follows the same order (ties by schema, name), so the worker streaming
// the output's head is the one that started first and spooled data is appended soon after it
// was written. Tables above the split size become consecutive ctid block ranges of one block.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/data_catalog.hpp"

namespace crm::engine {

struct CopyTask {
  size_t table = 0;  // index into the table list
  unsigned part = 0;
  unsigned parts = 1;
  std::string sql;   // COPY ... TO STDOUT
};

struct DataPlan {
  std::vector<size_t> table_order;  // table indexes in file order
  std::vector<CopyTask> tasks;      // in file order; a table's parts are consecutive
};

// split_tid_ranges: the server scans TID ranges (PostgreSQL 14+) and there is more than one
// worker; otherwise every table is one task.
DataPlan plan_data_dump(const std::vector<DataTable>& tables, std::uint64_t split_bytes,
                        bool split_tid_ranges);

}  // namespace crm::engine
