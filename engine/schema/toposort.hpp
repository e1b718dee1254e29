#pragma once
// Dependency order with a stable tie-break: among the objects whose dependencies are all
// placed, the smallest sort key goes next (kind rank, then schema, name, detail), so the
// same catalog always gives the same order, byte for byte.
#include <compare>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace crm::engine::schema {

struct SortKey {
  int rank = 0;
  std::string schema, name, detail;
  auto operator<=>(const SortKey&) const = default;
};

struct TopoResult {
  std::vector<size_t> order;        // indexes into the keys, dependencies first
  std::vector<size_t> cycle_breaks;  // nodes placed before all their dependencies (cycles)
};

// edges: (before, after) pairs of indexes into keys; duplicates and self-edges are ignored.
TopoResult topo_sort(const std::vector<SortKey>& keys, const std::vector<std::pair<size_t, size_t>>& edges);

}  // namespace crm::engine::schema
