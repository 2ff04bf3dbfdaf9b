// IdleWatchdog: a libev timer that fires once a connection has been idle
// (no Touch()) for `idle`, or has lived for `lifetime` — the mechanism
// under Socket::SetLimits.
//
// One timer per connection, re-armed lazily: Touch() only records the
// time (no system call, no timer update); when the timer fires early it is
// set again for the new deadline (libev's recommended idle-timeout
// pattern). It does not keep the hub's loop alive by itself.
//
// Thread affinity: the hub thread that constructs it. `on_expiry` runs in
// the hub's loop callback (not in a greenlet): it must not block.
#ifndef EVERGREEN_NET_INTERNAL_IDLE_WATCHDOG_H_
#define EVERGREEN_NET_INTERNAL_IDLE_WATCHDOG_H_

#include <ev.h>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "framework/hub.h"

namespace evergreen::internal {

class IdleWatchdog {
 public:
  // Either duration may be infinite (that limit is off); not both.
  // `on_expiry` receives DeadlineExceeded naming the limit that passed.
  IdleWatchdog(absl::Duration idle, absl::Duration lifetime,
               absl::AnyInvocable<void(absl::Status)> on_expiry);
  ~IdleWatchdog();
  IdleWatchdog(const IdleWatchdog&) = delete;
  IdleWatchdog& operator=(const IdleWatchdog&) = delete;

  // Records activity now: the idle limit counts from here.
  void Touch() { last_activity_ = ev_now(hub_->loop()); }

 private:
  static void OnTimer(struct ev_loop* loop, ev_timer* timer, int revents);
  // Seconds until the nearer deadline (<= 0: passed), and which one.
  double Remaining(double now, bool* idle) const;
  void Arm(double after);
  void Disarm();

  ev_timer timer_;  // first: the callback casts back
  Hub* hub_;
  const double idle_;      // seconds; < 0: no limit
  const double lifetime_;  // seconds; < 0: no limit
  const double start_;
  double last_activity_;
  absl::Duration idle_duration_;
  absl::Duration lifetime_duration_;
  absl::AnyInvocable<void(absl::Status)> on_expiry_;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_NET_INTERNAL_IDLE_WATCHDOG_H_
