// SupervisorError: why a supervisor exited with kFailed — it could not
// start a child while starting up, or it reached its maximum restart
// intensity. It is StatusError (framework/errors.h) under the name the
// supervision layer used first; stored as the Exit's error.
//
//   absl::Status why = evergreen::StatusFromException(sup.exit().error);
//   // Aborted: ... maximum restart intensity
#ifndef EVERGREEN_ACTORS_SUPERVISOR_ERROR_H_
#define EVERGREEN_ACTORS_SUPERVISOR_ERROR_H_

#include "framework/errors.h"

namespace evergreen {

using SupervisorError = StatusError;

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SUPERVISOR_ERROR_H_
