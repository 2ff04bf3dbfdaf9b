// StatusFromException: the absl::Status that describes a stored exception,
// for APIs that report a greenlet's failure as a value (Pool::IMap).
//
//   absl::Status s = evergreen::StatusFromException(greenlet.exception());
//
// Mapping (DESIGN.md, "Errors and cancellation"):
//   nullptr                               → OK
//   TimeoutError                          → DeadlineExceeded
//   GreenletExit, GreenletKilledError     → Cancelled
//   any other std::exception              → Unknown, with its what()
//   anything else                         → Unknown
//
// Thread affinity: none. Never blocks.
#ifndef EVERGREEN_FRAMEWORK_EXCEPTION_STATUS_H_
#define EVERGREEN_FRAMEWORK_EXCEPTION_STATUS_H_

#include <exception>

#include "absl/status/status.h"

namespace evergreen {

absl::Status StatusFromException(const std::exception_ptr& error);

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_EXCEPTION_STATUS_H_
