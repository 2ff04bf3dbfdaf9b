// CoarseNanos: a cheap monotonic clock for the hub's fairness checks.
//
// CLOCK_MONOTONIC_COARSE is read from the vDSO without touching the clock
// hardware: ~8 ns against ~25-30 ns for CLOCK_MONOTONIC (measured on the
// project's 2-core AMD EPYC VM), paid after every greenlet the hub runs.
// Its resolution is one jiffy (1-4 ms); fairness needs millisecond bounds,
// not nanoseconds, and callers that must not act early add the resolution
// (CoarseResolutionNanos) to what they wait for.
//
// Thread affinity: none. Never blocks.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_COARSE_CLOCK_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_COARSE_CLOCK_H_

#include <time.h>

#include <cstdint>

namespace evergreen::internal {

inline std::int64_t CoarseNanos() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// The coarse clock's step, read once.
inline std::int64_t CoarseResolutionNanos() {
  static const std::int64_t resolution = [] {
    timespec res;
    clock_getres(CLOCK_MONOTONIC_COARSE, &res);
    return static_cast<std::int64_t>(res.tv_sec) * 1000000000 + res.tv_nsec;
  }();
  return resolution;
}

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_COARSE_CLOCK_H_
