// The blocking monitor: a thread that notices a hub held by one greenlet
// for too long (a CPU loop, a blocking C call) and names the culprit (B-H3).
//
//   evergreen::StartBlockingMonitor();      // 100 ms threshold, stderr
//   ...
//   // evergreen: hub of thread 4711 (worker) blocked for 153ms by greenlet
//   //     'handler 127.0.0.1:5555'
//   //   #0 nanosleep
//   //   #1 LegacyClient::Fetch(...)
//   //   ...
//
// How: every hub counts the greenlets and callbacks it runs (a relaxed
// counter bumped around each; see internal/hub_registry.h). The monitor
// samples the counters every threshold/4 (at least 5 ms); a hub whose
// counter stays odd and unchanged for longer than the threshold is held by
// one greenlet. It is reported once per stall, while it is still stalled.
// To name the greenlet and capture its stack, the monitor sends a signal
// (`stack_signal`) to the stalled thread, whose handler records the frames
// (a checked frame-pointer walk from the interrupted registers: Evergreen
// is built with frame pointers) and the current greenlet's name; the
// monitor then symbolises them (absl::Symbolize). The signal interrupts
// the stalled call: one restarted by SA_RESTART resumes, but one that is
// never restarted (nanosleep, poll, ...) returns EINTR early, as under a
// profiler. With capture_stacks off, no signal is used and the report
// names the hub's thread only.
//
// Opt-in, like gevent's monitor_thread: nothing watches until
// StartBlockingMonitor() is called, and StopBlockingMonitor() turns it off
// again; the threshold and the stack capture are options.
//
// With the syscall hooks (framework/hooks.h), the monitor is how to find
// what the hooks cannot reach: a blocking call made inside libc or through
// a raw syscall holds the hub, and the report names the greenlet and the
// call (docs/os.md, "What cannot be hooked").
//
// Not watched: the main greenlet outside the hub's control (before it
// first blocks, or after Join() returns).
//
// Thread affinity: all functions here are safe from any thread. The sink
// runs on the monitor thread.
#ifndef EVERGREEN_FRAMEWORK_MONITOR_H_
#define EVERGREEN_FRAMEWORK_MONITOR_H_

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace evergreen {

// One stall of one hub.
struct StallReport {
  pid_t thread_id = 0;      // the stalled hub's thread
  std::string thread_name;  // its name at hub creation (may be empty)
  // The greenlet holding the hub: its name, "main greenlet", "hub" (a
  // callback), "unnamed greenlet", or "unknown" when it could not be told.
  std::string greenlet;
  absl::Duration duration;  // how long it had been held when reported
  std::vector<std::string> stack;  // symbolised frames, innermost first
  // The multi-line text the default sink prints.
  std::string ToString() const;
};

struct BlockingMonitorOptions {
  // A hub held longer than this is reported. REQUIRES: > 0.
  absl::Duration threshold = absl::Milliseconds(100);
  // Name the greenlet and capture its stack with a signal (see above).
  bool capture_stacks = true;
  // The signal used for that; its disposition is replaced while the
  // monitor runs (and restored by StopBlockingMonitor).
  int stack_signal = SIGRTMAX - 3;
  // Receives each report, on the monitor thread; must not block for long.
  // Null: print ToString() to stderr.
  std::function<void(const StallReport&)> sink;
};

// Starts the process's monitor thread, or restarts it with new options.
// Monitors every hub of every thread, present and future.
void StartBlockingMonitor(BlockingMonitorOptions options = {});

// Stops the monitor thread (joins it). Idempotent.
void StopBlockingMonitor();

bool BlockingMonitorRunning();

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_MONITOR_H_
