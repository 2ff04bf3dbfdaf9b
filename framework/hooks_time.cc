// The sleeps of framework/hooks.h (kTime). A sleep is a delay, not a wait
// for an event: the current deadline does not shorten it (as Sleep()).
// Cut short by a kill or a scoped Timeout, it returns as if it had slept,
// never EINTR, which callers retry in a loop; the exception stays pending.
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framework/internal/hook_core.h"

using evergreen::hooks::internal::CooperativeHub;
using evergreen::hooks::internal::Delay;
using evergreen::hooks::internal::Libc;
namespace hooks = evergreen::hooks;

namespace {

bool Valid(const struct timespec* t) {
  return t != nullptr && t->tv_sec >= 0 && t->tv_nsec >= 0 &&
         t->tv_nsec < 1000000000L;
}

}  // namespace

extern "C" {

unsigned int sleep(unsigned int seconds) {
  if (CooperativeHub(hooks::kTime) == nullptr) return Libc().sleep(seconds);
  (void)Delay(absl::Seconds(seconds));
  return 0;
}

int usleep(useconds_t microseconds) {
  if (CooperativeHub(hooks::kTime) == nullptr) {
    return Libc().usleep(microseconds);
  }
  (void)Delay(absl::Microseconds(microseconds));
  return 0;
}

int nanosleep(const struct timespec* request, struct timespec* remaining) {
  if (!Valid(request) || CooperativeHub(hooks::kTime) == nullptr) {
    return Libc().nanosleep(request, remaining);
  }
  (void)Delay(absl::DurationFromTimespec(*request));
  return 0;
}

// Returns an error number, not -1 with errno. CPU-time clocks stay libc's.
int clock_nanosleep(clockid_t clock, int flags, const struct timespec* request,
                    struct timespec* remaining) {
  const bool wall = clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ||
                    clock == CLOCK_BOOTTIME || clock == CLOCK_TAI;
  if (!wall || !Valid(request) || CooperativeHub(hooks::kTime) == nullptr) {
    return Libc().clock_nanosleep(clock, flags, request, remaining);
  }
  absl::Duration duration = absl::DurationFromTimespec(*request);
  if ((flags & TIMER_ABSTIME) != 0) {
    struct timespec now;
    if (clock_gettime(clock, &now) != 0) return errno;
    duration -= absl::DurationFromTimespec(now);
  }
  (void)Delay(duration > absl::ZeroDuration() ? duration
                                              : absl::ZeroDuration());
  return 0;
}

}  // extern "C"
