// ActorError: how an Ask's AsyncResult fails when the request never reached
// a handler (dead actor, full mailbox, the actor exiting with the request
// still queued). Carries the absl::Status; rethrown by AsyncResult::Get.
#ifndef EVERGREEN_ACTORS_ACTOR_ERROR_H_
#define EVERGREEN_ACTORS_ACTOR_ERROR_H_

#include <stdexcept>
#include <string>

#include "absl/status/status.h"

namespace evergreen {

class ActorError : public std::runtime_error {
 public:
  explicit ActorError(absl::Status status)
      : std::runtime_error(status.ToString()), status_(std::move(status)) {}
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_ERROR_H_
