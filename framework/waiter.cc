#include "framework/waiter.h"

#include <algorithm>
#include <cstddef>

#include "absl/time/clock.h"
#include "framework/internal/hub_access.h"

namespace evergreen {

void Waiter::StopTimer() {
  if (ev_is_active(&timer_)) {
    ev_timer_stop(hub_->loop(), &timer_);
    internal::HubAccess::CountWatcher(hub_, -1);
  }
}

void Waiter::Resume(internal::Runnable* node, bool discard) {
  auto* waiter = reinterpret_cast<Waiter*>(reinterpret_cast<char*>(node) -
                                           offsetof(Waiter, node_));
  if (discard || !waiter->waiting_) return;
  waiter->greenlet_->Switch();
}

RawGreenlet* Waiter::Target(internal::Runnable* node) {
  auto* waiter = reinterpret_cast<Waiter*>(reinterpret_cast<char*>(node) -
                                           offsetof(Waiter, node_));
  return waiter->waiting_ ? waiter->greenlet_ : nullptr;
}

void Waiter::OnTimer(struct ev_loop*, ev_timer* timer, int) {
  auto* waiter = reinterpret_cast<Waiter*>(reinterpret_cast<char*>(timer) -
                                           offsetof(Waiter, timer_));
  // A one-shot timer stops as it fires.
  internal::HubAccess::CountWatcher(waiter->hub_, -1);
  if (waiter->woken_) return;
  waiter->timed_out_ = true;
  if (!waiter->node_.linked())
    internal::HubAccess::Schedule(waiter->hub_, &waiter->node_);
}

namespace {

// Whatever happens while waiting, the waiter leaves no trace behind.
struct WaitGuard {
  explicit WaitGuard(bool* waiting) : waiting(waiting) { *waiting = true; }
  ~WaitGuard() { *waiting = false; }
  bool* waiting;
};

// Out of line and cold: most waits run under no deadline, and keeping the
// clock read and the Duration arithmetic out of Wait lets it tail-call.
[[gnu::cold, gnu::noinline]] absl::Duration ClampToDeadline(
    absl::Duration timeout, absl::Time deadline) {
  return std::min(timeout, deadline - absl::Now());
}

}  // namespace

bool Waiter::Wait(absl::Duration timeout) {
  const absl::Time deadline = greenlet_->deadline();
  if (deadline != absl::InfiniteFuture()) [[unlikely]] {
    timeout = ClampToDeadline(timeout, deadline);
  }
  return WaitIgnoringDeadline(timeout);
}

bool Waiter::WaitIgnoringDeadline(absl::Duration timeout) {
  if (woken_) return true;
  if (timeout <= absl::ZeroDuration()) return false;
  if (timeout != absl::InfiniteDuration()) {
    hub_->RefreshLoopTime();  // count from the call, not the last poll
    ev_timer_init(&timer_, &Waiter::OnTimer, absl::ToDoubleSeconds(timeout),
                  0.0);
    timed_ = true;
    ev_timer_start(hub_->loop(), &timer_);
    internal::HubAccess::CountWatcher(hub_, 1);
  }
  WaitGuard guard(&waiting_);
  // For the live dump's "waiting ... for 1.5s" (no clock read while the
  // hub runs a batch: the start of this greenlet's slice).
  greenlet_->set_waiting_since(internal::HubAccess::WaitStartNanos(hub_));
  while (!woken_ && !timed_out_) internal::HubAccess::Suspend(hub_);
  if (timed_) StopTimer();
  return woken_;
}

// Out of line, so that Sleep(0), a yield, does not pay for a Waiter's frame.
// Static in namespace evergreen rather than in an anonymous one: the live
// dump names a sleeping greenlet by this frame ("waiting in
// evergreen::SleepTimed", where Sleep's own frame is gone by a tail call).
[[gnu::noinline]] static void SleepTimed(absl::Duration duration) {
  Waiter waiter;
  waiter.WaitIgnoringDeadline(duration);
}

void Sleep(absl::Duration duration) {
  if (duration <= absl::ZeroDuration()) {
    internal::HubAccess::Yield(Hub::Current());
    return;
  }
  SleepTimed(duration);
}

void Idle() {
  struct IdleWatcher {
    ev_idle watcher;
    Waiter waiter;
  } idle;
  ev_idle_init(&idle.watcher, [](struct ev_loop* loop, ev_idle* w, int) {
    auto* self = reinterpret_cast<IdleWatcher*>(w);
    // libev knows only its own watchers: a poll taken between batches of
    // ready greenlets (fair scheduling) would otherwise look idle.
    if (internal::HubAccess::HasReadyWork(self->waiter.hub())) return;
    ev_idle_stop(loop, w);
    internal::HubAccess::CountWatcher(self->waiter.hub(), -1);
    self->waiter.Wake();
  });
  struct Stop {
    IdleWatcher* idle;
    ~Stop() {
      if (ev_is_active(&idle->watcher)) {
        ev_idle_stop(idle->waiter.hub()->loop(), &idle->watcher);
        internal::HubAccess::CountWatcher(idle->waiter.hub(), -1);
      }
    }
  } stop{&idle};
  ev_idle_start(idle.waiter.hub()->loop(), &idle.watcher);
  internal::HubAccess::CountWatcher(idle.waiter.hub(), 1);
  idle.waiter.WaitIgnoringDeadline(absl::InfiniteDuration());
}

}  // namespace evergreen
