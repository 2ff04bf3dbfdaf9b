// The two seams between a handler and the rest of the framework, each in
// one place so that Core v2 can replace them:
//
//  - RunWithHandlerDeadline: the call's deadline becomes the handler's.
//    Today a scoped Timeout interrupts the handler at its first blocking
//    call past the deadline; with Core v2 this becomes a DeadlineScope, so
//    that every wait inside is clamped to it.
//  - StatusFromHandlerException: what a call answers when its handler
//    throws. Today ActorError carries a Status; with Core v2, StatusError.
//
// Thread affinity: the service actor's greenlet.
#ifndef EVERGREEN_ACTORS_SERVICE_HANDLER_CALL_H_
#define EVERGREEN_ACTORS_SERVICE_HANDLER_CALL_H_

#include <exception>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "actors/service/payload.h"

namespace evergreen {

// Runs `handler` bounded by `deadline`. Returns its outcome, or
// DeadlineExceeded naming `method` when the deadline interrupted it.
// Other exceptions propagate. Blocks as `handler` does.
absl::StatusOr<Payload> RunWithHandlerDeadline(
    absl::Time deadline, absl::string_view method,
    absl::FunctionRef<absl::StatusOr<Payload>()> handler);

// The status a call answers when its handler threw `error`: an
// ActorError's status; DeadlineExceeded for a TimeoutError; Unavailable
// for GreenletExit (the actor was killed); else Internal with what().
absl::Status StatusFromHandlerException(const std::exception_ptr& error,
                                        absl::string_view method);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_HANDLER_CALL_H_
