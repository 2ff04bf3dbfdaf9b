// RestartWindow: a supervisor's maximum restart intensity as a sliding
// window of restart times (OTP's add_restart).
//
//   RestartWindow window(/*intensity=*/2, /*period=*/absl::Seconds(1));
//   if (!window.Add(MonotonicNow())) GiveUp();   // the 3rd within 1 s
//
// Internal to the supervisor. Not thread-safe (one supervisor's state).
#ifndef EVERGREEN_ACTORS_INTERNAL_RESTART_WINDOW_H_
#define EVERGREEN_ACTORS_INTERNAL_RESTART_WINDOW_H_

#include <cstddef>
#include <deque>

#include "absl/time/time.h"

namespace evergreen::internal {

// A clock that never goes back (std::chrono::steady_clock) as absl::Time,
// for measuring intervals only.
absl::Time MonotonicNow();

class RestartWindow {
 public:
  // REQUIRES: intensity >= 0, period > 0 (ValidateSupervisorFlags).
  RestartWindow(int intensity, absl::Duration period)
      : intensity_(intensity), period_(period) {}

  // Records a restart at `now` (non-decreasing across calls) and forgets
  // those older than `period`. Returns false when more than `intensity`
  // restarts now lie within the window: the supervisor must give up.
  bool Add(absl::Time now);

  // Restarts within the window as of the last Add.
  std::size_t size() const { return restarts_.size(); }
  // Restarts within the window ending at `now` (no earlier than the last
  // Add): the intensity used, for the live dump.
  std::size_t CountAt(absl::Time now) const;
  int intensity() const { return intensity_; }
  absl::Duration period() const { return period_; }

 private:
  int intensity_;
  absl::Duration period_;
  // Oldest first. The supervisor stops at the first false, so it holds
  // at most intensity + 1 entries.
  std::deque<absl::Time> restarts_;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_ACTORS_INTERNAL_RESTART_WINDOW_H_
