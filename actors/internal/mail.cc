#include "actors/internal/mail.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

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

// Every pooled node is a block: this header, then the node the caller
// sees. The header names the pool the block came from (its home), or
// nullptr for a block made while its thread was exiting (freed at once).
// 16 bytes, so the node keeps the default new alignment.
struct alignas(16) Header {
  struct Pool* home;
};
constexpr std::size_t kHeader = sizeof(Header);
static_assert(kHeader == 16);
static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ <= kHeader);

// A free node: its link lives where the message was.
struct FreeNode {
  FreeNode* next;
};

// Marks a pool's remote list once its thread has exited: a foreign free
// then deletes the block instead of pushing it.
FreeNode orphaned_mark;
FreeNode* const kOrphaned = &orphaned_mark;
// Blocks deleted by a foreign free because their home had exited (tests).
std::atomic<std::uint64_t> freed_after_home_exit{0};

Header* HeaderOf(void* node) {
  return reinterpret_cast<Header*>(static_cast<char*>(node) - kHeader);
}
void DeleteBlock(void* node) { ::operator delete(HeaderOf(node)); }

std::size_t ClassOf(std::size_t size) { return (size - 1) / kGranule; }

// One thread's free lists. The local lists are its own; the remote lists
// take the nodes of this pool that other threads free (a Treiber stack
// per class: foreign threads push with a CAS, the owner takes the whole
// stack with one exchange, so there is no ABA). Pools are never deleted:
// a thread that exits orphans its pool (remote lists marked kOrphaned,
// everything kept deleted) and a later thread adopts it, so a foreign
// free may always read the home pool of a node, however long ago its
// thread exited.
struct alignas(64) Pool {
  // Owner thread only.
  FreeNode* heads[kClasses] = {};
  std::size_t counts[kClasses] = {};
  MailPoolStats stats;
  // Any thread; on cache lines of their own (foreign threads write them).
  alignas(64) std::atomic<FreeNode*> remote[kClasses] = {};

  // Owner: moves what other threads freed in class `c` into the (empty)
  // local list; beyond kKeep nodes the rest are deleted. Returns the new
  // head, or nullptr.
  FreeNode* TakeRemote(std::size_t c) {
    if (remote[c].load(std::memory_order_relaxed) == nullptr) return nullptr;
    FreeNode* list = remote[c].exchange(nullptr, std::memory_order_acquire);
    if (list == nullptr) return nullptr;
    std::size_t n = 1;
    FreeNode* last = list;
    while (last->next != nullptr && n < kKeep) {
      last = last->next;
      ++n;
    }
    FreeNode* surplus = last->next;
    last->next = nullptr;
    heads[c] = list;
    counts[c] = n;
    stats.returned += n;
    while (surplus != nullptr) {
      FreeNode* next = surplus->next;
      DeleteBlock(surplus);
      ++stats.returned;
      surplus = next;
    }
    return list;
  }

  // Any thread but the owner: gives back a node of class `c`.
  void PushRemote(std::size_t c, void* node) {
    auto* free = static_cast<FreeNode*>(node);
    FreeNode* head = remote[c].load(std::memory_order_relaxed);
    do {
      if (head == kOrphaned) {
        DeleteBlock(node);
        freed_after_home_exit.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      free->next = head;
    } while (!remote[c].compare_exchange_weak(head, free,
                                              std::memory_order_release,
                                              std::memory_order_relaxed));
  }

  // Owner, at its thread's exit: deletes what it keeps and what was given
  // back, and refuses later remote frees (they delete).
  void Orphan() {
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (FreeNode* node = heads[c]) {
        heads[c] = node->next;
        DeleteBlock(node);
      }
      counts[c] = 0;
      FreeNode* list = remote[c].exchange(kOrphaned, std::memory_order_acquire);
      while (list != nullptr) {
        FreeNode* next = list->next;
        DeleteBlock(list);
        list = next;
      }
    }
  }

  // A new owner: remote frees are taken again.
  void Adopt() {
    stats = MailPoolStats{};
    for (auto& list : remote) list.store(nullptr, std::memory_order_relaxed);
  }
};

// Orphaned pools, waiting for a thread to adopt them. Never destroyed:
// threads may exit after static destructors ran.
struct Orphans {
  std::mutex mu;
  std::vector<Pool*> pools;
};
Orphans& orphans() {
  static auto* orphans = new Orphans;
  return *orphans;
}

// The thread's pool (made or adopted on its first allocation); closed
// once its thread-exit release ran: a thread still allocating then (a hub
// destroyed by a later thread_local destructor) gets unpooled blocks.
constinit thread_local Pool* this_pool = nullptr;
constinit thread_local bool pool_closed = false;

// Orphans the thread's pool at its exit.
struct Releaser {
  Releaser() = default;
  Releaser(const Releaser&) = delete;
  Releaser& operator=(const Releaser&) = delete;
  bool armed = false;
  ~Releaser() {
    Pool* pool = this_pool;
    pool_closed = true;
    this_pool = nullptr;
    if (pool == nullptr) return;
    pool->Orphan();
    Orphans& all = orphans();
    std::lock_guard<std::mutex> lock(all.mu);
    all.pools.push_back(pool);
  }
};
thread_local Releaser releaser;

[[gnu::noinline]] Pool* AcquirePool() {
  if (pool_closed) return nullptr;
  Pool* pool = nullptr;
  {
    Orphans& all = orphans();
    std::lock_guard<std::mutex> lock(all.mu);
    if (!all.pools.empty()) {
      pool = all.pools.back();
      all.pools.pop_back();
    }
  }
  if (pool != nullptr) {
    pool->Adopt();
  } else {
    pool = new Pool;
  }
  this_pool = pool;
  releaser.armed = true;  // constructs it: the pool is orphaned at exit
  return pool;
}

#endif  // EVERGREEN_MAIL_NO_POOL

}  // namespace

void* AllocateMail(std::size_t size) {
#ifndef EVERGREEN_MAIL_NO_POOL
  const std::size_t c = ClassOf(size);
  if (c < kClasses) {
    Pool* pool = this_pool;
    if (pool == nullptr) [[unlikely]] pool = AcquirePool();
    if (pool != nullptr) [[likely]] {
      FreeNode* node = pool->heads[c];
      if (node == nullptr) node = pool->TakeRemote(c);
      if (node != nullptr) {
        pool->heads[c] = node->next;
        --pool->counts[c];
        ++pool->stats.reused;
        return node;
      }
      ++pool->stats.fresh;
    }
    auto* header =
        static_cast<Header*>(::operator new(kHeader + (c + 1) * kGranule));
    header->home = pool;
    return reinterpret_cast<char*>(header) + kHeader;
  }
#endif
  return ::operator new(size);
}

void FreeMail(void* node, std::size_t size) noexcept {
#ifndef EVERGREEN_MAIL_NO_POOL
  const std::size_t c = ClassOf(size);
  if (c < kClasses) {
    Pool* home = HeaderOf(node)->home;
    if (home == this_pool && home != nullptr) [[likely]] {
      if (home->counts[c] < kKeep) {
        auto* free = static_cast<FreeNode*>(node);
        free->next = home->heads[c];
        home->heads[c] = free;
        ++home->counts[c];
        return;
      }
      DeleteBlock(node);
      return;
    }
    if (home == nullptr) {
      DeleteBlock(node);
      return;
    }
    // Another thread's node (a message sent across hubs): back to its
    // pool, which outlives every thread (see Pool).
    home->PushRemote(c, node);
    return;
  }
#endif
  (void)size;
  ::operator delete(node);
}

MailPoolStats ThisThreadMailPoolStats() {
#ifndef EVERGREEN_MAIL_NO_POOL
  if (Pool* pool = this_pool) {
    MailPoolStats stats = pool->stats;
    stats.kept = 0;
    for (std::size_t count : pool->counts) stats.kept += count;
    return stats;
  }
#endif
  return MailPoolStats{};
}

std::uint64_t MailFreedAfterHomeExit() {
#ifndef EVERGREEN_MAIL_NO_POOL
  return freed_after_home_exit.load(std::memory_order_relaxed);
#else
  return 0;
#endif
}

bool MailPoolEnabled() {
#ifndef EVERGREEN_MAIL_NO_POOL
  return true;
#else
  return false;
#endif
}

}  // namespace evergreen::internal
