#include "actors/internal/mail.h"

#include <cstddef>
#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EVERGREEN_MAIL_NO_POOL 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define EVERGREEN_MAIL_NO_POOL 1
#endif

namespace evergreen::internal {
namespace {

#ifndef EVERGREEN_MAIL_NO_POOL

// Size classes of 32 bytes up to 256; a class keeps at most kKeep nodes.
constexpr std::size_t kGranule = 32;
constexpr std::size_t kClasses = 8;
constexpr std::size_t kKeep = 1024;

struct FreeNode {
  FreeNode* next;
};

// Trivially destructible, so still readable while the thread's other
// thread_locals are destroyed (a hub dropping its last mail after the
// Drainer below ran then frees to operator delete).
struct Pool {
  FreeNode* heads[kClasses];
  std::size_t counts[kClasses];
  bool closed;
};
thread_local Pool pool{};

// Returns the kept nodes at thread exit.
struct Drainer {
  Drainer() = default;
  Drainer(const Drainer&) = delete;
  Drainer& operator=(const Drainer&) = delete;
  bool armed = false;
  ~Drainer() {
    pool.closed = true;
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (FreeNode* node = pool.heads[c]) {
        pool.heads[c] = node->next;
        ::operator delete(node);
      }
      pool.counts[c] = 0;
    }
  }
};
thread_local Drainer drainer;

std::size_t ClassOf(std::size_t size) { return (size - 1) / kGranule; }

#endif  // EVERGREEN_MAIL_NO_POOL

}  // namespace

void* AllocateMail(std::size_t size) {
#ifndef EVERGREEN_MAIL_NO_POOL
  const std::size_t c = ClassOf(size);
  if (c < kClasses) {
    if (FreeNode* node = pool.heads[c]) {
      pool.heads[c] = node->next;
      --pool.counts[c];
      return node;
    }
    drainer.armed = true;  // constructs it: the pool is drained at thread exit
    return ::operator new((c + 1) * kGranule);
  }
#endif
  return ::operator new(size);
}

void FreeMail(void* node, std::size_t size) noexcept {
#ifndef EVERGREEN_MAIL_NO_POOL
  const std::size_t c = ClassOf(size);
  if (c < kClasses && !pool.closed && pool.counts[c] < kKeep) {
    // A thread may only ever free mail (another hub's messages to its
    // actors): its pool must still be drained at exit.
    if (pool.counts[c] == 0) drainer.armed = true;
    auto* free = static_cast<FreeNode*>(node);
    free->next = pool.heads[c];
    pool.heads[c] = free;
    ++pool.counts[c];
    return;
  }
#endif
  (void)size;
  ::operator delete(node);
}

}  // namespace evergreen::internal
