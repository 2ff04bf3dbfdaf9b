// Waiter: the one primitive under every blocking call.
//
// A Waiter belongs to the greenlet that creates it (on its stack). Wait()
// switches to the hub until Wake() is called, a timeout passes, or an
// exception (a kill, a scoped Timeout) is thrown into the greenlet. Event,
// AsyncResult, queues, locks, Sleep and socket waits are all built on it;
// none re-invents waiting.
//
//   Waiter waiter;                 // in the greenlet that will wait
//   registry.Add(&waiter);         // somewhere a waker can find it
//   bool woken = waiter.Wait(absl::Seconds(1));
//   registry.Remove(&waiter);
//
// The destructor always cleans up: the timeout watcher is stopped and a
// wake-up still in the hub's ready list is withdrawn, whether Wait()
// returned, timed out, or was unwound by an exception.
//
// A Waiter is single-use: one Wait() per object; make a new one for the
// next wait.
//
// Thread affinity: hub thread only. Wake() may be called from any greenlet
// of that hub or from the hub itself (a libev callback); to wake from
// another thread, Post() to the hub.
#ifndef EVERGREEN_FRAMEWORK_WAITER_H_
#define EVERGREEN_FRAMEWORK_WAITER_H_

#include <ev.h>

#include "absl/time/time.h"
#include "framework/hub.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/runnable.h"

namespace evergreen {

class Waiter {
 public:
  // Binds to the calling greenlet and its thread's hub. (The constructor
  // and the destructor's common path are inline: every blocking call makes
  // one.)
  Waiter()
      : node_(&Waiter::Resume, &Waiter::Target),
        hub_(Hub::Current()),
        greenlet_(RawGreenlet::Current()) {}
  ~Waiter() {
    if (timed_) [[unlikely]] StopTimer();
    node_.Unlink();
  }
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  // Blocks until Wake() or until min(`timeout`, the greenlet's current
  // deadline, see framework/deadline.h) passes. Returns true when woken
  // (also if the wake-up came after the timeout but before the greenlet
  // ran again), false on timeout or deadline. A Wake() that came before
  // Wait() makes it return true at once. A zero or negative timeout, or a
  // deadline already passed, only polls. The timer counts from the call
  // (libev's cached time is refreshed first).
  // Throws: whatever is thrown into the greenlet while it waits
  // (GreenletExit, TimeoutError, ...); BlockingInHubError in the hub;
  // LoopExit when nothing could ever wake it.
  bool Wait(absl::Duration timeout = absl::InfiniteDuration());
  // As Wait, but the current deadline does not shorten it: for delays
  // (Sleep, Idle), not waits for an event.
  bool WaitIgnoringDeadline(absl::Duration timeout);

  // Resumes the waiting greenlet on the hub's next turn. Only the first
  // call counts. Never switches, so it is safe inside libev callbacks.
  // (Inline: every queue hand-over and event wakes through it.)
  void Wake() {
    if (woken_) return;
    woken_ = true;
    if (waiting_ && !node_.linked()) internal::HubAccess::Schedule(hub_, &node_);
  }

  bool woken() const { return woken_; }
  Hub* hub() const { return hub_; }
  RawGreenlet* greenlet() const { return greenlet_; }

 private:
  static void Resume(internal::Runnable* node, bool discard);
  static RawGreenlet* Target(internal::Runnable* node);
  static void OnTimer(struct ev_loop* loop, ev_timer* timer, int revents);
  // Stops the timer of a timed wait if still active.
  void StopTimer();

  // The node's address is the Waiter's: Resume() recovers it.
  internal::Runnable node_;
  Hub* hub_;
  RawGreenlet* greenlet_;
  // Initialised only by a timed wait (`timed_`): an untimed one never
  // touches it.
  ev_timer timer_;
  bool timed_ = false;
  bool woken_ = false;
  bool waiting_ = false;
  bool timed_out_ = false;
};

// Blocks the calling greenlet for `duration` (at least `duration` of wall
// time from the call; a current deadline does not shorten it, see
// framework/deadline.h); Sleep(absl::ZeroDuration())
// yields: every greenlet that was ready runs before the caller continues,
// and the hub polls I/O and timers at least every few such turns (polling
// is a system call, so not on every one), so a loop of Sleep(0) starves
// neither. Throws as Waiter::Wait.
void Sleep(absl::Duration duration);

// Blocks until the hub's loop has nothing else to do (an ev_idle watcher).
void Idle();

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_WAITER_H_
