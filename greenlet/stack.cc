#include "greenlet/stack.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "greenlet/internal/sanitizer.h"

namespace evergreen {
namespace {

std::size_t PageSize() {
  static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return page;
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

Stack::Stack(Stack&& other) noexcept
    : mapping_(std::exchange(other.mapping_, nullptr)),
      mapping_size_(std::exchange(other.mapping_size_, 0)),
      guard_size_(std::exchange(other.guard_size_, 0)),
      valgrind_id_(std::exchange(other.valgrind_id_, 0)) {}

Stack& Stack::operator=(Stack&& other) noexcept {
  if (this != &other) {
    Unmap();
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapping_size_ = std::exchange(other.mapping_size_, 0);
    guard_size_ = std::exchange(other.guard_size_, 0);
    valgrind_id_ = std::exchange(other.valgrind_id_, 0);
  }
  return *this;
}

Stack::~Stack() { Unmap(); }

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

}  // namespace evergreen
