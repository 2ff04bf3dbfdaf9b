#include "greenlet/stack.h"

// StackPool (greenlet/stack_pool.h) is defined here too, not in a file of
// its own: acquiring and releasing move Stacks and round sizes, and in one
// translation unit those calls inline (spawn cost, bench/greenlet).
#include "greenlet/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "greenlet/internal/sanitizer.h"

namespace evergreen {
namespace {

// Cached in a relaxed atomic (a plain load) rather than a function-local
// static, whose guard is checked on every call: a spawn asks three times.
std::atomic<std::size_t> page_size{0};

[[gnu::cold, gnu::noinline]] std::size_t ReadPageSize() {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  page_size.store(page, std::memory_order_relaxed);
  return page;
}

inline std::size_t PageSize() {
  const std::size_t page = page_size.load(std::memory_order_relaxed);
  return page != 0 ? page : ReadPageSize();
}

// A frame larger than this that skips the guard page entirely is still
// recognised as an overflow rather than a wild access.
constexpr std::size_t kOverflowSlack = 64 * 1024;

}  // namespace

std::size_t RoundStackSize(std::size_t size) {
  const std::size_t page = PageSize();
  if (size < kMinStackSize) size = kMinStackSize;
  return (size + page - 1) / page * page;
}

absl::StatusOr<Stack> Stack::Allocate(std::size_t size) {
  const std::size_t usable = RoundStackSize(size);
  const std::size_t guard = PageSize();
  const std::size_t total = usable + guard;
  void* mapping = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                       -1, 0);
  if (mapping == MAP_FAILED) {
    return absl::ResourceExhaustedError(
        absl::StrCat("greenlet stack: mmap of ", total,
                     " bytes failed: ", std::strerror(errno)));
  }
  if (mprotect(mapping, guard, PROT_NONE) != 0) {
    const int err = errno;
    munmap(mapping, total);
    return absl::ResourceExhaustedError(absl::StrCat(
        "greenlet stack: mprotect of the guard page failed: ",
        std::strerror(err),
        err == ENOMEM ? " (is vm.max_map_count too low? each stack takes two "
                        "mappings)"
                      : ""));
  }
  return Stack(mapping, total, guard);
}

Stack::Stack(void* mapping, std::size_t mapping_size, std::size_t guard_size)
    : mapping_(mapping), mapping_size_(mapping_size), guard_size_(guard_size) {
  valgrind_id_ = internal::RegisterStackWithValgrind(bottom(), top());
}

void Stack::Unmap() {
  if (mapping_ == nullptr) return;
  internal::DeregisterStackWithValgrind(valgrind_id_);
  internal::UnpoisonStack(bottom(), size());
  munmap(mapping_, mapping_size_);
  mapping_ = nullptr;
}

void Stack::ReleasePages() {
  if (mapping_ == nullptr) return;
  // Cannot fail on a private anonymous mapping we own; nothing to report.
  (void)madvise(bottom(), size(), MADV_DONTNEED);
}

bool Stack::IsOverflowAddress(std::uintptr_t address) const {
  if (mapping_ == nullptr) return false;
  const auto guard_top = reinterpret_cast<std::uintptr_t>(bottom());
  const auto guard_bottom = reinterpret_cast<std::uintptr_t>(mapping_);
  const std::uintptr_t low =
      guard_bottom > kOverflowSlack ? guard_bottom - kOverflowSlack : 0;
  return address >= low && address < guard_top;
}

// --- StackPool ---
StackPool::StackPool(StackPoolLimits limits) : limits_(limits) {}

std::size_t StackPool::Footprint(const Stack& stack) {
  // The usable size plus the guard page below it.
  return stack.size() + PageSize();
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
