// Sampling another thread from outside: a signal sent to it records its
// stack and its current greenlet, for the blocking monitor.
//
// The handler is async-signal-safe: it copies the frames (a checked
// frame-pointer walk from the interrupted registers) and the greenlet's
// name into a static
// slot and marks it done; the caller then symbolises on its own thread.
// One sample at a time per process (the monitor thread is the only caller).
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_THREAD_SAMPLER_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_THREAD_SAMPLER_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace evergreen::internal {

struct ThreadSample {
  std::string greenlet;             // see StallReport::greenlet
  std::uint64_t hub_activity = 0;   // the hub's activity count at the time
  std::vector<void*> frames;        // innermost first
};

// Installs (and UninstallSampler restores) the handler of `signal`.
// Returns false if sigaction refused it.
bool InstallSampler(int signal);
void UninstallSampler();

// Signals thread `thread_id` of this process and waits up to `timeout` for
// its handler to fill `*sample`. Returns false when the thread is gone or
// did not answer in time (a thread in a non-interruptible state, or under
// a sanitizer that defers signals).
bool SampleThread(pid_t thread_id, absl::Duration timeout,
                  ThreadSample* sample);

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_THREAD_SAMPLER_H_
