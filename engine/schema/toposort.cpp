#include "engine/schema/toposort.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace crm::engine::schema {

TopoResult topo_sort(const std::vector<SortKey>& keys, const std::vector<std::pair<size_t, size_t>>& edges) {
  const size_t n = keys.size();
  std::vector<std::vector<size_t>> after(n);
  std::vector<size_t> indegree(n, 0);
  std::vector<std::pair<size_t, size_t>> unique_edges = edges;
  std::sort(unique_edges.begin(), unique_edges.end());
  unique_edges.erase(std::unique(unique_edges.begin(), unique_edges.end()), unique_edges.end());
  for (auto [b, a] : unique_edges) {
    if (b >= n || a >= n) throw std::out_of_range("topo_sort: edge refers to a missing node");
    if (b == a) continue;
    after[b].push_back(a);
    ++indegree[a];
  }
  auto less = [&](size_t x, size_t y) { return keys[x] < keys[y] || (!(keys[y] < keys[x]) && x < y); };
  std::set<size_t, decltype(less)> ready(less), waiting(less);
  for (size_t i = 0; i < n; ++i) (indegree[i] == 0 ? ready : waiting).insert(i);

  TopoResult out;
  out.order.reserve(n);
  std::vector<bool> placed(n, false);
  while (out.order.size() < n) {
    size_t next;
    if (!ready.empty()) {
      next = *ready.begin();
      ready.erase(ready.begin());
    } else {
      // A cycle: place the smallest waiting node and carry on; the caller reports it.
      next = *waiting.begin();
      waiting.erase(waiting.begin());
      out.cycle_breaks.push_back(next);
    }
    placed[next] = true;
    out.order.push_back(next);
    for (size_t a : after[next]) {
      if (placed[a]) continue;
      if (--indegree[a] == 0) {
        waiting.erase(a);
        ready.insert(a);
      }
    }
  }
  return out;
}

}  // namespace crm::engine::schema
