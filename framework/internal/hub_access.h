// HubAccess: the hub's builder internals, for the framework's own blocking
// primitives (waiters, timeouts, greenlets, events, watchers) and the layers
// built directly on them (actors). Users call Hub's public API instead.
//
// Every member is a static inline forward to a private Hub member, so going
// through HubAccess costs nothing over a member call:
//
//   internal::HubAccess::Schedule(hub, &node_);   // == hub->Schedule(&node_)
//
// Thread affinity: as the forwarded member (the hub's thread, except
// remote(), whose HubRemote is safe from any thread).
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_HUB_ACCESS_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_HUB_ACCESS_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "framework/hub.h"
#include "framework/internal/hub_remote.h"
#include "framework/internal/hub_tracked.h"
#include "framework/internal/runnable.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen::internal {

struct HubEntry;

class HubAccess {
 public:
  HubAccess() = delete;

  // Appends `node` to the ready list; it runs after everything already
  // there. REQUIRES: hub thread; `node` not linked.
  static void Schedule(Hub* hub, Runnable* node) { hub->Schedule(node); }

  // Suspends the calling greenlet until something resumes it (a scheduled
  // Runnable switching to it, or an exception thrown into it).
  // Throws BlockingInHubError inside the hub; LoopExit when nothing can
  // ever resume the caller (the main greenlet waiting with nothing alive).
  static void Suspend(Hub* hub) { hub->Suspend(); }

  // Suspends the calling greenlet until everything ready now has run: the
  // body of Sleep(0). Throws as Suspend().
  static void Yield(Hub* hub) { hub->Yield(); }

  // For a greenlet about to finish: the greenlet to pass control to
  // instead of the hub (a hand-off, docs/hub.md), or nullptr.
  static RawGreenlet* HandOffAtExit(Hub* hub) { return hub->HandOffAtExit(); }

  // What a wait records as its start (RawGreenlet::set_waiting_since):
  // cheap, see Hub::WaitStartNanos.
  static std::int64_t WaitStartNanos(const Hub* hub) {
    return hub->WaitStartNanos();
  }

  // Keeps the loop alive while > 0 (see framework/keep_alive.h).
  static void AddKeepAlive(Hub* hub) { hub->AddKeepAlive(); }
  static void ReleaseKeepAlive(Hub* hub) { hub->ReleaseKeepAlive(); }

  // Counts the libev watchers that Evergreen's primitives start and stop
  // (timers of timed waits, Timeouts and StartLater, fd waits, Idle): +1
  // when one starts, -1 when it stops or a one-shot timer fires (stats()).
  static void CountWatcher(Hub* hub, int delta) { hub->CountWatcher(delta); }

  // True while greenlets or callbacks are ready to run, including during a
  // poll made between batches: idle watchers (Idle()) must not fire then.
  static bool HasReadyWork(const Hub* hub) { return hub->HasReadyWork(); }

  // The hub's own greenlet (the parent of every greenlet it runs).
  static RawGreenlet* greenlet(const Hub* hub) { return hub->greenlet(); }

  // Live greenlets register here so that destroying the hub unwinds them.
  static HubTracked** tracked_head(Hub* hub) { return hub->tracked_head(); }
  // Counts the tracked greenlets (pass with tracked_head() to Track).
  static std::size_t* greenlet_count(Hub* hub) {
    return hub->greenlet_count();
  }

  // The part of the hub other threads may touch; outlives the hub.
  static const std::shared_ptr<HubRemote>& remote(const Hub* hub) {
    return hub->remote();
  }

  // This hub's entry in the process's hub list (monitor, live dump).
  static HubEntry* registry_entry(const Hub* hub) {
    return hub->registry_entry();
  }
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_HUB_ACCESS_H_
