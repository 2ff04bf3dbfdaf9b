#include "framework/timer_handle.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "framework/hub.h"
#include "framework/internal/delayed_call.h"

namespace evergreen {

void TimerHandle::Cancel() {
  if (call_ != nullptr) call_->Cancel();
}

bool TimerHandle::pending() const {
  return call_ != nullptr && call_->pending();
}

void TimerHandle::Reset() {
  if (call_ != nullptr) std::exchange(call_, nullptr)->Release();
}

namespace internal {

DelayedCall::DelayedCall(Hub* hub, absl::Duration delay,
                         absl::AnyInvocable<void()> fn)
    : hub_(hub), fn_(std::move(fn)), node_(this) {
  timer_.owner = this;
  Track(hub->tracked_head());
  ++hub->pending_calls_;
  ev_timer_init(&timer_.watcher, &DelayedCall::OnTimer,
                std::max(0.0, absl::ToDoubleSeconds(delay)), 0.0);
  hub->RefreshLoopTime();  // count from the call, not the last poll
  ev_timer_start(hub->loop(), &timer_.watcher);
}

void DelayedCall::OnTimer(struct ev_loop*, ev_timer* watcher, int) {
  DelayedCall* self = reinterpret_cast<Timer*>(watcher)->owner;
  self->hub_->Schedule(&self->node_);  // run at the top of the loop
}

void DelayedCall::Cancel() {
  if (!pending_) return;
  hub_->CheckThread("TimerHandle::Cancel");
  absl::AnyInvocable<void()> fn = std::move(fn_);
  fn_ = nullptr;
  Finish();
  // `fn`, and whatever it captured, dies here: now, not at the deadline.
}

void DelayedCall::Run(bool discard) {
  // The callable is moved out first: it may drop the last handle (deleting
  // this) or cancel its own, already finished, call.
  absl::AnyInvocable<void()> fn = std::move(fn_);
  fn_ = nullptr;
  Finish();
  if (!discard) fn();
}

void DelayedCall::ShutdownForHub() {
  absl::AnyInvocable<void()> fn = std::move(fn_);
  fn_ = nullptr;
  Finish();
}

void DelayedCall::Finish() {
  pending_ = false;
  if (ev_is_active(&timer_.watcher)) ev_timer_stop(hub_->loop(), &timer_.watcher);
  node_.Unlink();
  Untrack();
  --hub_->pending_calls_;
  Release();
}

}  // namespace internal
}  // namespace evergreen
