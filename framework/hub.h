// Hub: the per-thread scheduler that runs greenlets over a libev loop.
//
// Every OS thread that uses Evergreen has one hub, created on first use. The
// hub is itself a greenlet: it runs ready greenlets in FIFO order, polls I/O
// and timers, and a greenlet that blocks (sleeps, waits on an Event, reads a
// socket) switches to it. Code therefore reads as blocking code while the
// thread never blocks.
//
//   evergreen::Spawn([] { evergreen::Sleep(absl::Milliseconds(10)); });
//   evergreen::Hub::Current()->Join();   // runs until nothing is left
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Thread affinity: a hub and everything bound to it (greenlets, waiters,
// events, queues) belong to the hub's thread. The only entry points safe
// from any thread are Post() and the cross-thread Set of Event/AsyncResult
// (which use Post()). Calls from another thread throw WrongThreadError.
//
// Errors: an exception nobody collects (a greenlet's, a callback's) goes to
// HandleError(), once; the hub keeps running.
#ifndef EVERGREEN_FRAMEWORK_HUB_H_
#define EVERGREEN_FRAMEWORK_HUB_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framework/errors.h"
#include "framework/hub_stats.h"
#include "framework/internal/coarse_clock.h"
#include "framework/internal/hub_tracked.h"
#include "framework/internal/runnable.h"
#include "framework/timer_handle.h"
#include "greenlet/raw_greenlet.h"

struct ev_loop;
struct ev_async;

namespace evergreen {
namespace internal {
class DelayedCall;
class HubAccess;
class HubRemote;
struct HubEntry;
inline void MaybeYield();
}  // namespace internal

class Hub {
 public:
  // Receives uncollected errors: `where` names the greenlet or callback.
  using ErrorHandler =
      absl::AnyInvocable<void(absl::string_view where, std::exception_ptr)>;

  // The calling thread's hub, created on first use.
  static Hub* Current() {
    Hub* hub = current_;
    return hub != nullptr ? hub : CreateCurrent();
  }
  // The calling thread's hub, or nullptr if it has none yet. One TLS load.
  static Hub* CurrentIfExists() { return current_; }

  // Destroys the calling thread's hub now (it is otherwise destroyed at
  // thread exit): live greenlets are killed (unwound with GreenletExit),
  // watchers released. A later Current() creates a fresh hub.
  // REQUIRES: called from the thread's main greenlet.
  static void DestroyCurrent();

  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;
  ~Hub();

  // Runs the loop until nothing is left to run (no ready greenlet, no
  // active watcher) or `timeout` passes. Returns true when it ran dry, false
  // on timeout. Blocks (the calling greenlet); may be called repeatedly.
  // REQUIRES: the main greenlet (else BlockingInHubError).
  bool Join(absl::Duration timeout = absl::InfiniteDuration());

  // Invariant: libev callbacks never switch greenlets; they only schedule
  // Runnables, which the hub runs at the top of its loop. So the hub at rest
  // is never suspended inside libev.

  // Runs `fn` in the hub on its thread, soon. Safe from any thread; wakes
  // the loop through an ev_async. `fn` must not block; an exception from it
  // goes to HandleError. Posting to a destroyed hub drops `fn`.
  void Post(absl::AnyInvocable<void()> fn);

  // Runs `fn` in the hub on its next turn (after what is ready now). `fn`
  // must not block; an exception from it goes to HandleError. Hub thread.
  // Dropped if the hub is destroyed first.
  void CallSoon(absl::AnyInvocable<void()> fn);

  // Runs `fn` in the hub `delay` from now (a libev timer, which keeps the
  // loop alive meanwhile). `fn` must not block; an exception from it goes
  // to HandleError and the hub keeps running. Hub thread. Dropped if the
  // hub is destroyed first. Returns a handle to cancel it (B-D2); dropping
  // the handle does not cancel (framework/timer_handle.h).
  TimerHandle CallLater(absl::Duration delay, absl::AnyInvocable<void()> fn);

  // CallLater calls started and not yet run or cancelled: what keeps the
  // loop alive on their account. For tests and benchmarks.
  std::size_t pending_calls() const { return pending_calls_; }

  // What this hub has alive now: greenlets, ready work, timers, posts,
  // watchers (framework/hub_stats.h). Cheap: counters, plus a walk of the
  // ready list. Hub thread.
  HubStats stats() const;

  // A per-hub singleton of a higher layer (the default ThreadPool, the
  // resolver): the object stored under `key`, made by `make` on first use.
  // Destroyed, in reverse order of creation, first thing when the hub is.
  // Hub thread.
  template <typename T, typename Make>
  T* Extension(const void* key, Make&& make) {
    for (auto& [k, object] : extensions_) {
      if (k == key) return static_cast<T*>(object.get());
    }
    std::shared_ptr<T> object = make();
    T* raw = object.get();
    extensions_.emplace_back(key, std::move(object));
    return raw;
  }

  // Reports an uncollected error through the handler (default: print to
  // stderr with `where`). Hub thread only.
  void HandleError(absl::string_view where, std::exception_ptr error);
  void SetErrorHandler(ErrorHandler handler);

  // The underlying libev loop, for watchers of one's own. Hub thread only.
  struct ev_loop* loop() const { return loop_; }

  // True when the calling code runs in the hub greenlet itself.
  bool InHub() const { return RawGreenlet::Current() == greenlet_.get(); }

  // Throws WrongThreadError unless called on this hub's thread.
  void CheckThread(const char* what) const {
    if (current_ != this) [[unlikely]] FailCheckThread(what);
  }

  // Brings libev's cached time up to date. Call before starting a timer:
  // the cached time is that of the last poll, stale after greenlets ran,
  // and a timer of d must not fire before d has passed since the call.
  // Costs one clock read. Hub thread.
  void RefreshLoopTime();

  // Fair scheduling (docs/hub.md). The hub polls I/O and timers once
  // `budget` has passed since its last poll, checked after every greenlet
  // or callback it runs; a greenlet that has held the hub longer than it
  // yields at its next cooperative call that would not block (MaybeYield).
  // Measured on CLOCK_MONOTONIC_COARSE (a few ns; one jiffy of resolution,
  // 1-4 ms): a poll comes within about max(budget, jiffy) plus one
  // greenlet's run. Default 1 ms; must be > 0. Hub thread.
  void set_poll_budget(absl::Duration budget);
  absl::Duration poll_budget() const;

  // Cross-hub wake-ups (docs/hub.md, "Cross-hub wake-ups"). After
  // cross-hub traffic (this thread posted to another hub, or this hub ran
  // posts), a hub with nothing ready waits up to `spin` for the next post
  // before it sleeps in its poll: busy (pause) while the peer hub runs on
  // another CPU, giving the CPU away (sched_yield) while it shares this
  // one. A post caught so costs neither side a kernel wake-up. Spins that
  // find nothing back off, so an idle hub sleeps at once; I/O and timers
  // are polled throughout. Default 20 us; zero never spins (every
  // cross-hub post to a sleeping hub then wakes it through its eventfd).
  // Must be within [0, 1 ms]. Hub thread.
  void set_remote_spin(absl::Duration spin);
  absl::Duration remote_spin() const;

  // True while the hub is being destroyed: blocking raises GreenletExit.
  bool destroying() const { return destroying_; }
  // Number of turns of the loop so far; tests use it to observe "one hub
  // turn" without sleeping.
  unsigned long long turns() const { return turns_; }

 private:
  // The builder internals of blocking primitives (framework/waiter.h),
  // reached through internal::HubAccess (framework/internal/hub_access.h),
  // which documents their contracts.
  friend class internal::HubAccess;
  friend void internal::MaybeYield();
  friend class internal::HubRemote;  // Post notes cross-hub traffic
  void Schedule(internal::Runnable* node) { ready_.PushBack(node); }
  void Suspend();
  void Yield();
  // The body of internal::MaybeYield() for this hub: yields when the
  // running greenlet has held the hub for at least the budget. Never in
  // the hub itself, while the hub is destroyed, or while an exception
  // unwinds. Throws as Yield().
  void MaybeYield() {
    if (internal::CoarseNanos() - slice_start_ >= yield_after_) [[unlikely]] {
      YieldSlice();
    }
  }
  void AddKeepAlive();
  void ReleaseKeepAlive();
  void CountWatcher(int delta) { active_watchers_ += delta; }
  // When the running greenlet's wait began, for the live dump, without a
  // clock read while the hub runs a batch: the start of the greenlet's
  // slice (when it was switched in; MaybeYield bounds a slice of
  // cooperative code by the budget). Otherwise (the main greenlet between
  // Joins) one coarse clock read.
  std::int64_t WaitStartNanos() const;
  bool HasReadyWork() const {
    return !ready_.empty() || !batch_.empty() || polling_ahead_;
  }
  // The direct hand-off (docs/hub.md). A greenlet about to suspend runs
  // the next ready node itself when it is a hand-off node (a wake-up, a
  // yield, a start: internal/runnable.h) and the hub has nothing to do
  // before it (no poll due by batch count or budget, no Join timed out,
  // fewer than kMaxHandOffs hand-offs since the hub last ran): so it
  // switches straight to the greenlet that node resumes. Returns true when
  // it ran a node (the caller was resumed since, or never left: re-check
  // and suspend again if still waiting), false to switch to the hub.
  // Throws what is thrown into the caller meanwhile.
  bool HandOff();
  // For a greenlet about to die: the greenlet to pass control to instead
  // of the hub (the node that would have resumed it is consumed), or
  // nullptr for the hub.
  RawGreenlet* HandOffAtExit();
  // The next ready node, popped, when a greenlet may run it in the hub's
  // place; with `need_target`, only one that switches into a greenlet.
  internal::Runnable* NextHandOff(bool need_target);
  // Whether a greenlet may act in the hub's place now, at the end of a
  // batch or within one; if so, counts it as the hub's turn.
  bool MayHandOff(bool batch_over);
  RawGreenlet* greenlet() const { return greenlet_.get(); }
  internal::HubTracked** tracked_head() { return &tracked_; }
  std::size_t* greenlet_count() { return &live_greenlets_; }
  const std::shared_ptr<internal::HubRemote>& remote() const { return remote_; }
  internal::HubEntry* registry_entry() const { return registry_entry_; }

  Hub();
  static Hub* CreateCurrent();
  [[noreturn, gnu::cold]] static void FailCheckThread(const char* what);
  void Run();
  void RunReadyBatch();
  void RanDry();
  void DrainPosted();
  // ev_run with `flags`; returns whether a referenced watcher is active.
  bool Poll(int flags);
  // A poll without waiting while greenlets are ready; what it wakes goes
  // first in line.
  void PollAhead();
  void YieldSlice();
  static void OnAsync(struct ev_loop* loop, struct ev_async* watcher,
                      int revents);
  friend class internal::DelayedCall;  // counts itself in pending_calls_

  // The calling thread's hub. constinit: no dynamic initialiser, so reading
  // it needs no TLS wrapper call (it is owned in hub.cc).
  static inline constinit thread_local Hub* current_ = nullptr;

  struct ev_loop* loop_;
  std::unique_ptr<struct ev_async> async_;
  std::shared_ptr<internal::HubRemote> remote_;
  std::unique_ptr<RawGreenlet> greenlet_;
  internal::RunnableList ready_;
  // The batch being run (RunReadyBatch, or hand-offs); empty between.
  internal::RunnableList batch_;
  internal::HubTracked* tracked_ = nullptr;
  ErrorHandler error_handler_;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> extensions_;
  bool joining_ = false;
  bool join_timed_out_ = false;
  bool destroying_ = false;
  bool polling_ahead_ = false;  // PollAhead() holds the ready work aside
  unsigned long long turns_ = 0;
  std::size_t pending_calls_ = 0;
  std::size_t live_greenlets_ = 0;  // tracked greenlets (stats())
  int active_watchers_ = 0;         // CountWatcher()
  std::size_t soon_calls_ = 0;      // CallSoon callbacks not yet run
  internal::HubEntry* registry_entry_ = nullptr;
  // Ready batches run since I/O was last polled (see Run()).
  int batches_since_poll_ = 0;
  static constexpr int kBatchesPerPoll = 16;
  // Hand-offs since the hub greenlet last ran; at kMaxHandOffs the next
  // suspension goes to the hub.
  int handoffs_ = 0;
  static constexpr int kMaxHandOffs = 64;
  // Fairness, in CoarseNanos(): when I/O was last polled, when the running
  // greenlet was switched in, the poll budget, and how long a slice must
  // have lasted (by the coarse clock) for MaybeYield to be sure that the
  // budget has truly passed: budget plus the clock's resolution.
  std::int64_t last_poll_;
  std::int64_t slice_start_;
  std::int64_t poll_budget_;
  std::int64_t yield_after_;
  std::int64_t remote_spin_;  // set_remote_spin, in nanoseconds
  static constexpr absl::Duration kDefaultPollBudget = absl::Milliseconds(1);
};

namespace internal {

// One cheap check at a cooperative call that would not block (socket and
// TLS I/O, a queue Get/Put that completes at once, a mailbox take): yields
// to the hub when the calling greenlet has held it for longer than the
// hub's poll budget, so that one busy greenlet cannot starve the others.
// A no-op in the hub itself (callbacks) and on a thread without a hub.
// Throws as Hub::Yield (GreenletExit when killed meanwhile).
inline void MaybeYield() {
  if (Hub* hub = Hub::CurrentIfExists()) hub->MaybeYield();
}

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_HUB_H_
