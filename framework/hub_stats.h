// Live-resource accounting: what a hub has alive right now, and what the
// process's hubs had left alive when they were destroyed (B-H2). Cheap and
// always on: counters kept as things start and stop, read on demand.
//
//   evergreen::HubStats s = evergreen::Hub::Current()->stats();
//   if (s.greenlets != 0 || s.active_watchers != 0) { /* something lives */ }
//   // (tests/testing:main checks this after every test; docs/hub.md)
//
// Thread affinity: Hub::stats() on the hub's thread; the process-wide
// functions below from any thread.
#ifndef EVERGREEN_FRAMEWORK_HUB_STATS_H_
#define EVERGREEN_FRAMEWORK_HUB_STATS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace evergreen {

// What one hub has alive (Hub::stats()).
struct HubStats {
  // Greenlets started (or StartLater'd) and not finished.
  std::size_t greenlets = 0;
  // CallSoon callbacks not yet run.
  std::size_t callbacks = 0;
  // CallLater timers armed, neither run nor cancelled.
  std::size_t pending_calls = 0;
  // Functions Post()ed from any thread and not yet run.
  std::size_t posted = 0;
  // Active libev watchers that keep the loop alive (I/O waits, timers of
  // timed waits and Timeouts, child and signal watches, keep-alives):
  // libev's count of referenced active watchers. Zero on an idle hub;
  // while > 0 a Join() does not return.
  int active_watchers = 0;
  // Everything in the ready list: greenlet wake-ups and starts, CallSoon
  // callbacks, and the hub's own deferred releases of finished greenlets
  // (counted by walking it: O(ready)). Informational: a finished
  // greenlet's release may wait here for the next turn.
  std::size_t ready = 0;

  // Nothing alive (`ready` aside, see above).
  bool idle() const {
    return greenlets == 0 && callbacks == 0 && pending_calls == 0 &&
           posted == 0 && active_watchers == 0;
  }
  // "greenlets=1 callbacks=0 pending_calls=0 posted=0 active_watchers=2
  // ready=1".
  std::string ToString() const;
};

// What destroyed hubs had to shut down, summed over the process's life:
// a hub destroyed with nothing alive adds nothing (B-H2).
struct HubLeftovers {
  std::uint64_t greenlets_killed = 0;    // unwound with GreenletExit
  std::uint64_t calls_dropped = 0;       // CallLater never run
  std::uint64_t callbacks_discarded = 0; // CallSoon callbacks never run
  std::uint64_t watchers_left = 0;       // still active after all that
  std::uint64_t total() const {
    return greenlets_killed + calls_dropped + callbacks_discarded +
           watchers_left;
  }
  std::string ToString() const;
};

// The sums so far. Any thread.
HubLeftovers HubLeftoversSoFar();

// File descriptors Evergreen opened and has not closed yet (sockets, pipe
// ends), process-wide. Any thread.
std::int64_t OpenEvergreenFds();

// Of those, or besides them, the fds held by process-wide machinery rather
// than by any object of the caller's: the signal self-pipe and the child
// reaper's eventfd (made once, kept for the process's life) and the pidfds
// of children the reaper waits for in the background. Any thread.
std::int64_t ProcessWideEvergreenFds();

namespace internal {
// Called where process-wide machinery opens (+) and closes (-) fds.
void CountProcessWideFd(int delta);
// Called where Evergreen takes ownership of an fd (+1) and closes it (-1).
void CountOwnedFd(int delta);
// Called by ~Hub.
void AddHubLeftovers(const HubLeftovers& leftovers);
}  // namespace internal

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_HUB_STATS_H_
