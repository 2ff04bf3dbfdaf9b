// StackPool: released greenlet stacks kept for reuse, within bounds.
//
// Spawning a greenlet costs neither mmap nor mprotect once the pool is
// warm. So that one burst of greenlets does not keep its memory for good
// (B-LR1), the pool is bounded three ways:
//  - max_cached / max_cached_bytes: at most so many stacks (and so many
//    bytes of their address space) are kept; beyond that a released stack
//    is unmapped;
//  - resident_cached: only that many cached stacks keep their touched
//    pages; a stack released while that many do has its pages returned to
//    the kernel at once (madvise MADV_DONTNEED, one system call) and stays
//    mapped for reuse. Below the mark a release costs no system call.
// Trim() gives back the pages of cached stacks on demand (e.g. when a
// server goes idle).
//
//   evergreen::StackPool pool({.max_cached = 64});
//   absl::StatusOr<evergreen::Stack> stack = pool.Acquire(256 * 1024);
//   if (!stack.ok()) return stack.status();
//   ...
//   pool.Release(*std::move(stack));
//   pool.Trim();   // every cached stack's pages back to the kernel
//
// Every thread that runs greenlets has one (ThisThreadStackPool() in
// greenlet/raw_greenlet.h).
//
// Thread affinity: not synchronised; belongs to one thread.
#ifndef EVERGREEN_GREENLET_STACK_POOL_H_
#define EVERGREEN_GREENLET_STACK_POOL_H_

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "greenlet/stack.h"

namespace evergreen {

struct StackPoolLimits {
  // Stacks kept for reuse, at most. Enough by default for bursts of
  // hundreds of thousands of short-lived greenlets (skynet) to run without
  // mmap; each costs two memory mappings (see vm.max_map_count).
  std::size_t max_cached = 1 << 17;
  // Address space of the stacks kept (usable size plus guard page), at
  // most. Address space, not memory: see resident_cached for that.
  std::size_t max_cached_bytes = std::size_t{32} << 30;
  // Cached stacks that keep their touched pages (a page or two each for
  // most greenlets); the pages of the others are returned to the kernel.
  std::size_t resident_cached = 1024;
};

class StackPool {
 public:
  explicit StackPool(StackPoolLimits limits = {});
  // A pool keeping at most `max_cached` stacks, other limits as default.
  explicit StackPool(std::size_t max_cached)
      : StackPool(StackPoolLimits{.max_cached = max_cached}) {}
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // A stack of exactly the rounded `size`: a cached one when available
  // (no system call), else a new mapping. Errors as Stack::Allocate.
  absl::StatusOr<Stack> Acquire(std::size_t size);

  // Returns `stack` for reuse, unmapping it or releasing its pages as the
  // limits say. Its contents are garbage to the next user.
  void Release(Stack stack);

  // Returns to the kernel the pages of cached stacks, oldest first, until
  // at most `keep_resident` keep theirs; they all stay cached.
  void Trim(std::size_t keep_resident = 0);

  std::size_t cached() const { return cached_count_; }
  std::size_t cached_bytes() const { return cached_bytes_; }
  // Cached stacks whose pages have not been given back.
  std::size_t resident() const { return resident_count_; }
  const StackPoolLimits& limits() const { return limits_; }
  // New limits; cached stacks beyond them are unmapped (or their pages
  // given back) at once.
  void set_limits(const StackPoolLimits& limits);
  std::size_t max_cached() const { return limits_.max_cached; }
  void set_max_cached(std::size_t n);

 private:
  struct Cached {
    Stack stack;
    bool resident;  // its pages may still be in memory
  };
  // Released stacks by usable size; programs use few distinct sizes.
  // Within a class, the back is the most recently released.
  struct SizeClass {
    std::size_t size;
    std::vector<Cached> stacks;
  };
  static std::size_t Footprint(const Stack& stack);
  // Unmaps cached stacks, oldest first, until within the count and byte
  // limits.
  void Shrink();

  StackPoolLimits limits_;
  std::size_t cached_count_ = 0;
  std::size_t cached_bytes_ = 0;
  std::size_t resident_count_ = 0;
  std::vector<SizeClass> cached_;
};

}  // namespace evergreen

#endif  // EVERGREEN_GREENLET_STACK_POOL_H_
