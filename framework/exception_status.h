// StatusFromException: the absl::Status that describes a stored exception,
// for APIs that report a failure as a value (AsyncResult::Result,
// Greenlet::Result, Pool::IMap, Supervisor::Call).
//
//   absl::Status s = evergreen::StatusFromException(greenlet.exception());
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Mapping (docs/design.md, "Errors and cancellation"; B-D4):
//   nullptr                                  → OK
//   StatusError (ActorError, SupervisorError,
//     TimeoutError → DeadlineExceeded)       → its status, unchanged
//   GreenletExit, GreenletKilledError        → Cancelled
//   std::invalid_argument                    → InvalidArgument
//   std::out_of_range                        → OutOfRange
//   other std::logic_error (LoopExit, BlockingInHubError, WrongThreadError,
//     GreenletError, LockError)              → FailedPrecondition
//   std::bad_alloc                           → ResourceExhausted
//   any other std::exception                 → Unknown, with its what()
//   anything else                            → Unknown
//
// Thread affinity: none. Never blocks, never throws.
#ifndef EVERGREEN_FRAMEWORK_EXCEPTION_STATUS_H_
#define EVERGREEN_FRAMEWORK_EXCEPTION_STATUS_H_

#include <exception>

#include "absl/status/status.h"

namespace evergreen {

absl::Status StatusFromException(const std::exception_ptr& error);

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_EXCEPTION_STATUS_H_
