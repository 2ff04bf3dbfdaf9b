// Greenlet stacks: mmap'ed memory with a guard page, and a per-thread pool.
//
// A Stack is `size` usable bytes above one PROT_NONE guard page. The mapping
// is MAP_NORESERVE, so only pages a greenlet actually touches become
// resident: a suspended greenlet that used little stack costs a page or two.
// Running into the guard page faults; greenlet/stack_overflow.h turns that
// fault into a "greenlet stack overflow" report.
//
// A StackPool keeps released stacks for reuse, so spawning a greenlet costs
// neither mmap nor mprotect once the pool is warm.
//
//   evergreen::StackPool pool(/*max_cached=*/64);
//   absl::StatusOr<evergreen::Stack> stack = pool.Acquire(256 * 1024);
//   if (!stack.ok()) return stack.status();
//   ...
//   pool.Release(*std::move(stack));
//
// Thread affinity: a Stack is plain memory and may move between threads; a
// StackPool is not synchronised and belongs to one thread.
#ifndef EVERGREEN_GREENLET_STACK_H_
#define EVERGREEN_GREENLET_STACK_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace evergreen {

// Default usable stack size of a greenlet: 256 KiB of address space, of
// which only the touched pages are resident.
inline constexpr std::size_t kDefaultStackSize = 256 * 1024;

// Smallest stack Evergreen accepts; smaller requests are rounded up.
inline constexpr std::size_t kMinStackSize = 16 * 1024;

class Stack {
 public:
  // Maps a new stack of at least `size` usable bytes (rounded up to whole
  // pages, and to at least kMinStackSize) plus its guard page.
  // Errors: ResourceExhausted when mmap or mprotect fails (the message names
  // the call and errno text, e.g. vm.max_map_count being reached).
  static absl::StatusOr<Stack> Allocate(std::size_t size);

  Stack() = default;
  Stack(Stack&& other) noexcept;
  Stack& operator=(Stack&& other) noexcept;
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  ~Stack();  // Unmaps.

  bool valid() const { return mapping_ != nullptr; }
  // Lowest usable address; the guard page lies just below it.
  void* bottom() const { return static_cast<char*>(mapping_) + guard_size_; }
  // One past the highest usable address; stacks grow down from here.
  void* top() const { return static_cast<char*>(mapping_) + mapping_size_; }
  // Usable bytes.
  std::size_t size() const { return mapping_size_ - guard_size_; }

  // True when `address` lies in the guard page or in the region below it
  // that an oversized frame may skip into: the signature of an overflow.
  bool IsOverflowAddress(std::uintptr_t address) const;

 private:
  Stack(void* mapping, std::size_t mapping_size, std::size_t guard_size);
  void Unmap();

  void* mapping_ = nullptr;
  std::size_t mapping_size_ = 0;
  std::size_t guard_size_ = 0;
  unsigned valgrind_id_ = 0;
};

class StackPool {
 public:
  // Keeps at most `max_cached` released stacks; beyond that they are
  // unmapped.
  explicit StackPool(std::size_t max_cached) : max_cached_(max_cached) {}
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // A stack of exactly the rounded `size`: a cached one when available
  // (no system call), else a new mapping. Errors as Stack::Allocate.
  absl::StatusOr<Stack> Acquire(std::size_t size);

  // Returns `stack` for reuse. Its contents are garbage to the next user.
  void Release(Stack stack);

  std::size_t cached() const { return cached_count_; }
  std::size_t max_cached() const { return max_cached_; }
  void set_max_cached(std::size_t n);

 private:
  // Released stacks by usable size; programs use few distinct sizes.
  struct SizeClass {
    std::size_t size;
    std::vector<Stack> stacks;
  };
  std::size_t max_cached_;
  std::size_t cached_count_ = 0;
  std::vector<SizeClass> cached_;
};

// Rounds a requested usable size the way Stack::Allocate does.
std::size_t RoundStackSize(std::size_t size);

}  // namespace evergreen

#endif  // EVERGREEN_GREENLET_STACK_H_
