#include "engine/data/data_plan.hpp"

#include <algorithm>
#include <numeric>

#include "engine/data/data_format.hpp"

namespace crm::engine {
namespace {

std::string tid(std::uint64_t block) { return "'(" + std::to_string(block) + ",0)'::pg_catalog.tid"; }

}  // namespace

DataPlan plan_data_dump(const std::vector<DataTable>& tables, std::uint64_t split_bytes,
                        bool split_tid_ranges) {
  DataPlan plan;
  plan.table_order.resize(tables.size());
  std::iota(plan.table_order.begin(), plan.table_order.end(), size_t{0});
  std::stable_sort(plan.table_order.begin(), plan.table_order.end(), [&](size_t a, size_t b) {
    if (tables[a].total_bytes != tables[b].total_bytes) return tables[a].total_bytes > tables[b].total_bytes;
    if (tables[a].schema != tables[b].schema) return tables[a].schema < tables[b].schema;
    return tables[a].name < tables[b].name;
  });
  for (size_t ti : plan.table_order) {
    const DataTable& t = tables[ti];
    std::string filter = t.extension_condition;
    // The extension's condition is given as "WHERE ..." (pg_extension_config_dump).
    if (!filter.empty()) {
      auto pos = filter.find_first_not_of(" \t\n");
      if (pos != std::string::npos && filter.size() >= pos + 5) {
        std::string head = filter.substr(pos, 5);
        std::transform(head.begin(), head.end(), head.begin(), ::toupper);
        if (head == "WHERE") filter = filter.substr(pos + 5);
      }
      filter = "(" + filter + ")";
    }
    std::uint64_t blocks = t.block_size ? t.main_bytes / t.block_size : 0;
    unsigned parts = 1;
    if (split_tid_ranges && split_bytes > 0 && t.main_bytes > split_bytes && blocks > 1)
      parts = static_cast<unsigned>(std::min<std::uint64_t>((t.main_bytes + split_bytes - 1) / split_bytes, blocks));
    for (unsigned p = 0; p < parts; ++p) {
      std::string where = filter;
      if (parts > 1) {
        // First part open at the bottom and last part open at the top: rows in blocks past
        // the size read from the catalog are still dumped.
        std::uint64_t lo = blocks * p / parts, hi = blocks * (p + 1) / parts;
        std::string range;
        if (p > 0) range = "ctid >= " + tid(lo);
        if (p + 1 < parts) range += (range.empty() ? "" : " AND ") + std::string("ctid < ") + tid(hi);
        where = where.empty() ? range : where + " AND " + range;
      }
      plan.tasks.push_back({ti, p, parts, copy_out_sql(t.schema, t.name, t.columns, where)});
    }
  }
  return plan;
}

}  // namespace crm::engine
