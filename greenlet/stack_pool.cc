#include "greenlet/stack_pool.h"

#include <unistd.h>

#include <utility>

#include "greenlet/internal/sanitizer.h"

namespace evergreen {

StackPool::StackPool(StackPoolLimits limits) : limits_(limits) {}

std::size_t StackPool::Footprint(const Stack& stack) {
  // The usable size plus the guard page below it.
  static const std::size_t page =
      static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return stack.size() + page;
}

absl::StatusOr<Stack> StackPool::Acquire(std::size_t size) {
  const std::size_t usable = RoundStackSize(size);
  for (SizeClass& size_class : cached_) {
    if (size_class.size == usable && !size_class.stacks.empty()) {
      Cached& last = size_class.stacks.back();
      Stack stack = std::move(last.stack);
      if (last.resident) --resident_count_;
      size_class.stacks.pop_back();
      --cached_count_;
      cached_bytes_ -= Footprint(stack);
      return stack;
    }
  }
  return Stack::Allocate(usable);
}

void StackPool::Release(Stack stack) {
  if (!stack.valid()) return;
  internal::UnpoisonStack(stack.bottom(), stack.size());
  const std::size_t footprint = Footprint(stack);
  if (cached_count_ >= limits_.max_cached ||
      cached_bytes_ + footprint > limits_.max_cached_bytes) {
    return;  // `stack` unmaps here
  }
  // Beyond the low-water mark the pages go now: after a burst nothing
  // else would give them back. Below it a release costs no system call.
  const bool resident = resident_count_ < limits_.resident_cached;
  if (!resident) stack.ReleasePages();
  SizeClass* target = nullptr;
  for (SizeClass& size_class : cached_) {
    if (size_class.size == stack.size()) target = &size_class;
  }
  if (target == nullptr) {
    cached_.push_back(SizeClass{stack.size(), {}});
    target = &cached_.back();
  }
  target->stacks.push_back(Cached{std::move(stack), resident});
  ++cached_count_;
  cached_bytes_ += footprint;
  if (resident) ++resident_count_;
}

void StackPool::Trim(std::size_t keep_resident) {
  // Oldest first: the front of each class was released longest ago.
  for (SizeClass& size_class : cached_) {
    for (Cached& cached : size_class.stacks) {
      if (resident_count_ <= keep_resident) return;
      if (!cached.resident) continue;
      cached.stack.ReleasePages();
      cached.resident = false;
      --resident_count_;
    }
  }
}

void StackPool::Shrink() {
  for (SizeClass& size_class : cached_) {
    std::size_t drop = 0;
    while (drop < size_class.stacks.size() &&
           (cached_count_ > limits_.max_cached ||
            cached_bytes_ > limits_.max_cached_bytes)) {
      Cached& oldest = size_class.stacks[drop++];
      if (oldest.resident) --resident_count_;
      --cached_count_;
      cached_bytes_ -= Footprint(oldest.stack);
    }
    size_class.stacks.erase(size_class.stacks.begin(),
                            size_class.stacks.begin() + drop);
  }
}

void StackPool::set_limits(const StackPoolLimits& limits) {
  limits_ = limits;
  Shrink();
  Trim(limits_.resident_cached);
}

void StackPool::set_max_cached(std::size_t n) {
  StackPoolLimits limits = limits_;
  limits.max_cached = n;
  set_limits(limits);
}

}  // namespace evergreen
