// DelayedCall: one Hub::CallLater — a libev timer, the callable, and the
// node that runs it at the top of the hub's loop. Reference counted (hub
// thread, non-atomic): one reference while it is pending, one per
// TimerHandle, so a handle can outlive both the call and the hub.
//
// Internal: users see TimerHandle (framework/timer_handle.h).
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_DELAYED_CALL_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_DELAYED_CALL_H_

#include <ev.h>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "framework/internal/hub_tracked.h"
#include "framework/internal/runnable.h"

namespace evergreen {
class Hub;

namespace internal {

class DelayedCall final : private HubTracked {
 public:
  // Starts the timer; the call holds one reference to itself until it
  // runs, is cancelled, or the hub is destroyed.
  DelayedCall(Hub* hub, absl::Duration delay, absl::AnyInvocable<void()> fn);

  bool pending() const { return pending_; }
  // Stops the timer, unschedules the run, destroys the callable.
  void Cancel();

  void AddRef() { ++refs_; }
  void Release() {
    if (--refs_ == 0) delete this;
  }

 private:
  struct Timer {
    ev_timer watcher;  // first: the callback casts back
    DelayedCall* owner;
  };

  ~DelayedCall() = default;
  static void OnTimer(struct ev_loop* loop, ev_timer* watcher, int revents);
  void Run(bool discard);
  void ShutdownForHub() override;
  // No longer pending: stops the timer and the node, untracks, uncounts,
  // and drops the self-reference (which may delete this: call it last).
  void Finish();

  Hub* hub_;
  absl::AnyInvocable<void()> fn_;
  Timer timer_;
  BoundRunnable<DelayedCall, &DelayedCall::Run> node_;
  int refs_ = 1;
  bool pending_ = true;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_DELAYED_CALL_H_
