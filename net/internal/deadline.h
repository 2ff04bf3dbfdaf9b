// Deadline arithmetic for calls that wait several times under one timeout.
//
//   const absl::Time deadline = DeadlineFor(timeout);
//   while (...) io.Wait(..., Remaining(deadline));
#ifndef EVERGREEN_NET_INTERNAL_DEADLINE_H_
#define EVERGREEN_NET_INTERNAL_DEADLINE_H_

#include <algorithm>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace evergreen {
namespace internal {

// The time `timeout` from now; InfiniteFuture for an infinite timeout.
inline absl::Time DeadlineFor(absl::Duration timeout) {
  return timeout == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                             : absl::Now() + timeout;
}

// What is left until `deadline`: never negative; infinite for InfiniteFuture.
inline absl::Duration Remaining(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return absl::InfiniteDuration();
  return std::max(deadline - absl::Now(), absl::ZeroDuration());
}

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_INTERNAL_DEADLINE_H_
