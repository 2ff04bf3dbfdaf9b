// Event: a flag greenlets can wait on (gevent.event.Event).
//
//   evergreen::Event ready;
//   evergreen::Spawn([ready]() mutable { ready.Wait(); Serve(); });
//   ...
//   ready.Set();   // wakes every waiter; later waits return at once
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Event is a handle: copies share one event, so it can be captured by
// value. Set() wakes every greenlet waiting at that moment, even if the
// flag is cleared again before they run.
//
// Thread affinity: bound to the hub of the thread that created it. Set()
// may be called from any thread (it is delivered through Hub::Post); all
// other calls belong to the owning hub's thread. A wait woken only from
// another thread needs that thread to hold a HubKeepAlive (or a timeout),
// else the hub sees nothing that could wake it and raises LoopExit.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_EVENT_H_
#define EVERGREEN_FRAMEWORK_EVENT_H_

#include <memory>

#include "absl/time/time.h"
#include "framework/hub.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/hub_remote.h"
#include "framework/internal/linkable.h"

namespace evergreen {

class Event {
 public:
  Event();

  // Sets the flag and wakes all waiters; links run on the hub's next turn.
  // Any thread. Idempotent.
  void Set();
  // Clears the flag. Hub thread.
  void Clear();
  bool is_set() const { return state_->flag; }
  bool ready() const { return state_->flag; }

  // Blocks until the flag is set or `timeout` passes; what wakes it: Set().
  // Returns true if set (or woken by a Set that was then cleared), false on
  // timeout. Throws as Waiter::Wait (GreenletExit, TimeoutError of an
  // enclosing Timeout, LoopExit, BlockingInHubError).
  bool Wait(absl::Duration timeout = absl::InfiniteDuration());
  // Non-blocking twin: is_set().
  bool TryWait() const { return is_set(); }

  // For Wait()/IWait() over several objects.
  internal::Linkable* linkable() const { return state_.get(); }

 private:
  struct State final : internal::Linkable {
    explicit State(Hub* hub)
        : hub(hub), remote(internal::HubAccess::remote(hub)) {}
    bool ready() const override { return flag; }
    void SetHere() {
      flag = true;
      NotifyLinks();
    }
    Hub* hub;
    // Outlives the hub: a Set() from another thread after the hub is gone
    // is dropped instead of touching freed memory.
    std::shared_ptr<internal::HubRemote> remote;
    bool flag = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_EVENT_H_
