#pragma once
// Part buffers shared by the multipart uploads of one run, so however many objects are sent at
// once, the extra parts in flight stay within a fixed count (memory: that count x part size on
// top of what each upload holds of its own). An upload never waits for the budget: it takes a
// part from it only when one is free and otherwise waits for its own oldest part, so uploads
// sharing a budget can never wait on each other.
#include <cstddef>
#include <mutex>

namespace crm::s3 {

class PartBudget {
 public:
  explicit PartBudget(std::size_t parts) : free_(parts) {}
  PartBudget(const PartBudget&) = delete;
  PartBudget& operator=(const PartBudget&) = delete;

  bool try_take() {
    std::lock_guard lock(mu_);
    if (free_ == 0) return false;
    --free_;
    return true;
  }
  void give() {
    std::lock_guard lock(mu_);
    ++free_;
  }
  std::size_t free_parts() {
    std::lock_guard lock(mu_);
    return free_;
  }

 private:
  std::mutex mu_;
  std::size_t free_;
};

}  // namespace crm::s3
