// Signals as greenlet events (gevent.signal_handler).
//
//   // A handler runs in a new greenlet on each arrival; it may block.
//   absl::StatusOr<evergreen::SignalWatch> reload = evergreen::OnSignal(
//       {SIGHUP}, [&](int) { config = LoadConfig(); });
//
//   // Wait for one of several signals, with a timeout.
//   absl::StatusOr<int> got = evergreen::WaitSignal({SIGUSR1, SIGUSR2},
//                                                   absl::Seconds(5));
//
//   // Opt-in graceful shutdown of a server on SIGTERM or SIGINT.
//   evergreen::StreamServer server(address, Handle);
//   evergreen::SignalWatch stop = evergreen::StopOnSignals(
//       [&] { server.Stop(absl::Seconds(10)); });
//   server.ServeForever();   // returns once Stop has drained the handlers
//
// Nothing here runs in signal context: the OS handler only records the
// arrival (see internal/signal_dispatch.h), and the hub runs the reaction
// on its own thread. Any number of hubs, on any threads, may watch the
// same signal; each gets every arrival. Arrivals that come close together
// may coalesce into one, as signals do. While a signal is watched its
// previous disposition is replaced; the last watch ending restores it.
//
// Thread affinity: a SignalWatch belongs to the hub thread that made it
// and must be destroyed there, before its hub.
#ifndef EVERGREEN_FRAMEWORK_SIGNALS_H_
#define EVERGREEN_FRAMEWORK_SIGNALS_H_

#include <signal.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "framework/hub.h"
#include "framework/keep_alive.h"

namespace evergreen {
namespace internal {
struct SignalSink;
}  // namespace internal

// A watch on one or more signals; watching ends when it is destroyed or
// Cancel()ed. Movable.
class SignalWatch {
 public:
  SignalWatch() = default;
  SignalWatch(SignalWatch&& other) noexcept;
  SignalWatch& operator=(SignalWatch&& other) noexcept;
  ~SignalWatch();

  // Stops watching; handlers already running keep running. Idempotent.
  void Cancel();
  bool active() const { return !ids_.empty(); }

 private:
  friend absl::StatusOr<SignalWatch> OnSignal(
      absl::Span<const int>, absl::AnyInvocable<void(int)>, bool);
  friend absl::StatusOr<int> WaitSignal(absl::Span<const int>,
                                        absl::Duration);

  // Subscribes `sink` to each of `signals`. Errors as OnSignal.
  static absl::StatusOr<SignalWatch> Watch(
      absl::Span<const int> signals, std::shared_ptr<internal::SignalSink> sink);

  std::shared_ptr<internal::SignalSink> sink_;
  std::vector<std::uint64_t> ids_;
  std::unique_ptr<HubKeepAlive> keep_alive_;
};

// Runs handler(signal) in a new greenlet of the calling thread's hub on
// each arrival of any of `signals`. The handler may block; an exception
// from it goes to Hub::HandleError. With `keep_alive`, the watch keeps the
// hub's loop alive (Join() does not return while it lasts); otherwise it
// does not, as a timer would not outlive the work it serves. Never blocks.
// Errors: InvalidArgument for an empty list or a signal that cannot be
// handled (SIGKILL, SIGSTOP, out of range).
absl::StatusOr<SignalWatch> OnSignal(absl::Span<const int> signals,
                                     absl::AnyInvocable<void(int)> handler,
                                     bool keep_alive = false);
inline absl::StatusOr<SignalWatch> OnSignal(
    std::initializer_list<int> signals, absl::AnyInvocable<void(int)> handler,
    bool keep_alive = false) {
  return OnSignal(absl::MakeConstSpan(signals.begin(), signals.size()),
                  std::move(handler), keep_alive);
}

// Blocks until one of `signals` arrives (what wakes it: the signal) and
// returns it. Arrivals before the call are not seen. The wait keeps the
// hub alive (a signal comes from outside). Errors: DeadlineExceeded on
// timeout; as OnSignal. Throws as Waiter::Wait.
absl::StatusOr<int> WaitSignal(absl::Span<const int> signals,
                               absl::Duration timeout =
                                   absl::InfiniteDuration());
inline absl::StatusOr<int> WaitSignal(
    std::initializer_list<int> signals,
    absl::Duration timeout = absl::InfiniteDuration()) {
  return WaitSignal(absl::MakeConstSpan(signals.begin(), signals.size()),
                    timeout);
}

// Opt-in graceful shutdown: on the first arrival of one of `signals`, runs
// stop() once, in a greenlet (it may block, e.g. BaseServer::Stop with a
// drain timeout); later arrivals are ignored. Does not keep the hub alive.
SignalWatch StopOnSignals(absl::AnyInvocable<void()> stop,
                          std::vector<int> signals = {SIGTERM, SIGINT});

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_SIGNALS_H_
