// SupervisorError: why a supervisor exited with kFailed — it could not
// start a child while starting up, or it reached its maximum restart
// intensity. Stored as the Exit's error; carries an absl::Status.
//
//   try {
//     std::rethrow_exception(sup.exit().error);
//   } catch (const SupervisorError& e) {
//     LOG(ERROR) << e.status();   // Aborted: ... maximum restart intensity
//   }
#ifndef EVERGREEN_ACTORS_SUPERVISOR_ERROR_H_
#define EVERGREEN_ACTORS_SUPERVISOR_ERROR_H_

#include <stdexcept>
#include <utility>

#include "absl/status/status.h"

namespace evergreen {

class SupervisorError : public std::runtime_error {
 public:
  explicit SupervisorError(absl::Status status)
      : std::runtime_error(status.ToString()), status_(std::move(status)) {}
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SUPERVISOR_ERROR_H_
