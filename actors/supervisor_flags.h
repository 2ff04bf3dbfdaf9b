// SupervisorFlags: a supervisor's restart strategy and maximum restart
// intensity (OTP's sup_flags()).
//
//   SupervisorFlags flags{.strategy = Strategy::kRestForOne,
//                         .intensity = 3,
//                         .period = absl::Seconds(10)};
//
// Strategies (which children restart when one exits and is to restart):
//   kOneForOne        only that child.
//   kOneForAll        all: the others are terminated (reverse start
//                     order), then all are started again (start order).
//   kRestForOne       that child and the ones started after it; earlier
//                     ones keep running untouched.
//   kSimpleOneForOne  one_for_one over dynamic children, all made from one
//                     template spec by StartChild(args); they are shut
//                     down together (in parallel), not in order.
//
// Intensity: more than `intensity` restarts within any sliding window of
// `period` make the supervisor give up: it terminates all its children
// (reverse start order) and exits with kFailed, which its own supervisor,
// if any, sees like any child failure (escalation).
//
// Thread affinity: a plain value.
#ifndef EVERGREEN_ACTORS_SUPERVISOR_FLAGS_H_
#define EVERGREEN_ACTORS_SUPERVISOR_FLAGS_H_

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace evergreen {

enum class Strategy { kOneForOne, kOneForAll, kRestForOne, kSimpleOneForOne };

// "one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one".
const char* ToString(Strategy strategy);

struct SupervisorFlags {
  Strategy strategy = Strategy::kOneForOne;
  // Restarts allowed within `period` (>= 0). OTP's default: 1 in 5 s.
  int intensity = 1;
  // The sliding window (> 0; may be infinite).
  absl::Duration period = absl::Seconds(5);
};

// OK, or InvalidArgument saying which flag is wrong and its value.
absl::Status ValidateSupervisorFlags(const SupervisorFlags& flags);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SUPERVISOR_FLAGS_H_
