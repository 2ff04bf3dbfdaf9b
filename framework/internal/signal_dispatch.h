// The process's one owner of the OS signal handlers that Evergreen
// installs, shared by the hubs of every thread.
//
// Why not libev's ev_signal: libev binds each signal to a single loop (a
// second loop watching the same signal is a fatal error), while here any
// number of hubs, on any threads, may wait for the same signal.
//
// How: the first subscription to a signal installs an async-signal-safe
// handler that only writes the signal's number to a pipe (saving the
// previous disposition); a dispatcher thread reads the pipe and Posts each
// arrival to every subscribed hub, where the subscriber's function runs
// (in the hub, never in signal context). The last unsubscription restores
// the previous disposition. Arrivals may coalesce, as signals do.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_SIGNAL_DISPATCH_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_SIGNAL_DISPATCH_H_

#include <cstdint>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "framework/hub.h"

namespace evergreen::internal {

// A subscriber's side, shared with the posted deliveries. Hub thread only,
// except for the reference count.
struct SignalSink {
  bool active = true;
  absl::AnyInvocable<void(int)> on_signal;  // runs in the hub; must not block
};

// Delivers each arrival of `signal` to `sink` on `hub`'s thread (while
// sink->active). Any thread. Errors: InvalidArgument for a signal number
// out of range or one that cannot be caught (SIGKILL, SIGSTOP).
absl::StatusOr<std::uint64_t> SubscribeSignal(int signal, Hub* hub,
                                              std::shared_ptr<SignalSink> sink);
// Ends a subscription; the last one for a signal restores its previous
// disposition. Unknown ids are ignored. Any thread.
void UnsubscribeSignal(std::uint64_t id);

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_SIGNAL_DISPATCH_H_
