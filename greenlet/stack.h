// Greenlet stacks: mmap'ed memory with a guard page, and a per-thread pool.
//
// A Stack is `size` usable bytes above one PROT_NONE guard page. The mapping
// is MAP_NORESERVE, so only pages a greenlet actually touches become
// resident: a suspended greenlet that used little stack costs a page or two.
// Running into the guard page faults; greenlet/stack_overflow.h turns that
// fault into a "greenlet stack overflow" report.
//
// Stacks are reused through a StackPool (greenlet/stack_pool.h).
//
//   absl::StatusOr<evergreen::Stack> stack = evergreen::Stack::Allocate(
//       evergreen::kDefaultStackSize);
//   if (!stack.ok()) return stack.status();
//
// Thread affinity: a Stack is plain memory and may move between threads.
#ifndef EVERGREEN_GREENLET_STACK_H_
#define EVERGREEN_GREENLET_STACK_H_

#include <cstddef>
#include <cstdint>

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
  // Moves are inline: a greenlet's start and death move its stack from and
  // back to the pool (spawn cost).
  Stack(Stack&& other) noexcept
      : mapping_(other.mapping_),
        mapping_size_(other.mapping_size_),
        guard_size_(other.guard_size_),
        valgrind_id_(other.valgrind_id_) {
    other.mapping_ = nullptr;
    other.mapping_size_ = other.guard_size_ = 0;
    other.valgrind_id_ = 0;
  }
  Stack& operator=(Stack&& other) noexcept {
    if (this != &other) {
      if (mapping_ != nullptr) Unmap();
      mapping_ = other.mapping_;
      mapping_size_ = other.mapping_size_;
      guard_size_ = other.guard_size_;
      valgrind_id_ = other.valgrind_id_;
      other.mapping_ = nullptr;
      other.mapping_size_ = other.guard_size_ = 0;
      other.valgrind_id_ = 0;
    }
    return *this;
  }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  ~Stack() {  // Unmaps.
    if (mapping_ != nullptr) Unmap();
  }

  bool valid() const { return mapping_ != nullptr; }
  // Lowest usable address; the guard page lies just below it.
  void* bottom() const { return static_cast<char*>(mapping_) + guard_size_; }
  // One past the highest usable address; stacks grow down from here.
  void* top() const { return static_cast<char*>(mapping_) + mapping_size_; }
  // Usable bytes.
  std::size_t size() const { return mapping_size_ - guard_size_; }

  // Returns the pages of the usable area to the kernel (madvise
  // MADV_DONTNEED): the stack stays mapped, reads back as zeros, and costs
  // no memory until touched again. REQUIRES: no greenlet runs on it.
  void ReleasePages();

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

// Rounds a requested usable size the way Stack::Allocate does.
std::size_t RoundStackSize(std::size_t size);

}  // namespace evergreen

#endif  // EVERGREEN_GREENLET_STACK_H_
