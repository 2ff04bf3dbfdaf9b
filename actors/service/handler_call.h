// The seams between a handler and the rest of the framework:
//
//  - RunHandler: runs a handler for a call. The call's deadline becomes
//    the handler greenlet's current deadline (a DeadlineScope: every wait
//    inside — sockets, DNS, Ask, nested calls — ends by it), backed by a
//    scoped Timeout so that a handler sleeping or waiting without a
//    deadline is interrupted too. While it runs, CancelCall can interrupt
//    it.
//  - CancelCall: the call is cancelled (client gave up, connection gone,
//    server stopping): a handler not started will not run, a running one
//    is interrupted at its current or next blocking call.
//  - StatusFromHandlerException: what a call answers when its handler
//    throws.
//
// Thread affinity: the service's hub; RunHandler in the greenlet that runs
// the handler (the service actor's, or one of its pool's).
#ifndef EVERGREEN_ACTORS_SERVICE_HANDLER_CALL_H_
#define EVERGREEN_ACTORS_SERVICE_HANDLER_CALL_H_

#include <exception>
#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "actors/service/call_context.h"
#include "actors/service/payload.h"
#include "framework/errors.h"

namespace evergreen {

// Raised inside a running handler by CancelCall. Its status is the
// reason CancelCall was given (Cancelled, Unavailable).
class CallCancelledError : public StatusError {
 public:
  CallCancelledError(absl::Status why, const CallState* call)
      : StatusError(std::move(why)), call_(call) {}
  // The call that was cancelled.
  const CallState* call() const { return call_; }

 private:
  const CallState* call_;
};

// Runs `handler` for the call `state`, bounded by state.deadline (see the
// file comment). Returns its outcome; DeadlineExceeded naming `method`
// when the deadline interrupted it; CancelCall's reason when that did.
// Other exceptions propagate. Blocks as `handler` does.
absl::StatusOr<Payload> RunHandler(
    CallState& state, absl::string_view method,
    absl::FunctionRef<absl::StatusOr<Payload>()> handler);

// Cancels the call: state.cancelled turns true and a running handler gets
// CallCancelledError(`why`) at its current or next blocking call (from
// the hub, on its next turn). Idempotent: the first reason wins. Never
// blocks.
void CancelCall(const std::shared_ptr<CallState>& state, absl::Status why);

// The status a call answers when its handler threw `error`: a
// StatusError's status (DeadlineExceeded for a TimeoutError, naming
// `method`); Unavailable for GreenletExit (the actor was killed); else
// Internal with what().
absl::Status StatusFromHandlerException(const std::exception_ptr& error,
                                        absl::string_view method);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_HANDLER_CALL_H_
