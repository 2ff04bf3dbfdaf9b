#include "net/internal/memory_trim.h"

#include <ev.h>
#include <malloc.h>

#include <algorithm>

#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "greenlet/raw_greenlet.h"

namespace evergreen::internal {

void TrimMemoryAfterBurst() {
  // Measured on the echo sample after 500 TLS connections (13.7 MB before,
  // 44 MB at the peak): neither alone brings it back (stacks only: 36.5 MB
  // after; malloc_trim only: 17.2 MB), both do (11.3 MB).
  ThisThreadStackPool().Trim();
  malloc_trim(0);
}

namespace {

constexpr absl::Duration kMinTrimInterval = absl::Seconds(1);

// The thread's pending trim: a libev timer that does not keep the loop
// alive (a trim is never a reason to keep running).
struct PendingTrim {
  ev_timer timer;  // first: the callback casts back
  struct ev_loop* loop = nullptr;
  absl::Time due = absl::InfinitePast();
};

thread_local absl::Time last_trim = absl::InfinitePast();
thread_local PendingTrim pending;

void OnTrimTimer(struct ev_loop* loop, ev_timer*, int) {
  ev_ref(loop);  // the one-shot timer stopped itself while unref'd
  last_trim = absl::Now();
  TrimMemoryAfterBurst();
}

}  // namespace

void RequestTrimAfterBurst(Hub* hub) {
  const absl::Time now = absl::Now();
  struct ev_loop* loop = hub->loop();
  // A timer left in a loop since destroyed (a new hub on this thread, maybe
  // at the same address, long after it was due) is not pending.
  if (pending.loop != loop || now > pending.due + kMinTrimInterval) {
    ev_init(&pending.timer, &OnTrimTimer);
    pending.loop = loop;
  }
  if (ev_is_active(&pending.timer)) return;  // one at a time
  const absl::Duration delay =
      std::max(absl::ZeroDuration(), last_trim + kMinTrimInterval - now);
  pending.due = now + delay;
  ev_timer_set(&pending.timer, absl::ToDoubleSeconds(delay), 0.);
  ev_timer_start(loop, &pending.timer);
  ev_unref(loop);
}

}  // namespace evergreen::internal
