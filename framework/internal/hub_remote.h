// The part of a hub that other threads may touch: a mutex-guarded list of
// posted functions and the ev_async that wakes the loop. It is shared
// (std::shared_ptr) so that a poster holding it after the hub is gone finds
// it closed instead of touching freed memory.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_HUB_REMOTE_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_HUB_REMOTE_H_

#include <vector>

#include <atomic>
#include <mutex>

#include "absl/functional/any_invocable.h"

struct ev_loop;
struct ev_async;

namespace evergreen::internal {

class HubRemote {
 public:
  HubRemote(struct ev_loop* loop, struct ev_async* async)
      : loop_(loop), async_(async) {}

  // Queues `fn` and wakes the loop. Returns false (dropping `fn`) once the
  // hub is closed. Any thread.
  bool Post(absl::AnyInvocable<void()> fn);

  // Wakes the loop without posting. Any thread.
  void Wake();

  // Takes everything posted so far into `into`, which must be empty; its
  // buffer becomes the next posts' (so that draining allocates nothing in
  // the steady state). Hub thread.
  void Take(std::vector<absl::AnyInvocable<void()>>* into);

  // True when something was posted and not yet taken: a lock-free peek
  // for the hub's spin before it sleeps (Hub::Run). Acquire: a true here
  // is followed by Take(), which locks anyway. Any thread.
  bool has_posts() const {
    return has_posts_.load(std::memory_order_acquire);
  }

  // Where the hub's thread last ran (a hint; see Hub::Run). Any thread.
  int cpu() const { return cpu_.load(std::memory_order_relaxed); }
  void set_cpu(int cpu) { cpu_.store(cpu, std::memory_order_relaxed); }

  // Refuses further posts, and returns once no other thread still signals
  // the loop (which may then be destroyed). Hub thread, on destruction.
  void Close();

  // HubKeepAlives held (Hub::stats()): counted here, on the thread that
  // takes or drops one, since the loop reference itself is released later
  // by a post. Any thread.
  void CountKeepAlive(int delta) {
    keep_alives_.fetch_add(delta, std::memory_order_relaxed);
  }
  int keep_alives() const {
    return keep_alives_.load(std::memory_order_relaxed);
  }

  // How many posted functions wait to run (Hub::stats()). Any thread.
  std::size_t pending() {
    std::lock_guard<std::mutex> lock(mu_);
    return posted_.size();
  }

 private:
  // std::mutex rather than absl::Mutex: Debian's abseil is not built with
  // TSan, which would then miss the synchronisation. Guards closed_ and
  // posted_.
  std::mutex mu_;
  // Constant, and valid until Close() has returned.
  struct ev_loop* const loop_;
  struct ev_async* const async_;
  bool closed_ = false;  // by Close()
  // Posts and wakes that passed the closed check and have not yet
  // signalled the loop (they do so off the lock: Signal()).
  std::atomic<int> signalling_{0};
  // Sends the ev_async, then counts the signal done. REQUIRES: counted in
  // signalling_ under mu_ while open.
  void Signal();
  std::vector<absl::AnyInvocable<void()>> posted_;
  // The CPU the hub's thread last ran on before it spun or slept (-1:
  // not yet): a hint for the other hubs' spins (Hub::Run). Any thread.
  std::atomic<int> cpu_{-1};
  // !posted_.empty(), written under mu_, read without it (has_posts()).
  std::atomic<bool> has_posts_{false};
  std::atomic<int> keep_alives_{0};
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_HUB_REMOTE_H_
