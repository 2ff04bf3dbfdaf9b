#include "actors/internal/restart_window.h"

#include <chrono>

namespace evergreen::internal {

absl::Time MonotonicNow() {
  return absl::UnixEpoch() +
         absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
}

bool RestartWindow::Add(absl::Time now) {
  restarts_.push_back(now);
  // OTP keeps restarts no older than the period: the boundary counts.
  const absl::Time threshold = now - period_;
  while (!restarts_.empty() && restarts_.front() < threshold) {
    restarts_.pop_front();
  }
  return restarts_.size() <= static_cast<std::size_t>(intensity_);
}

std::size_t RestartWindow::CountAt(absl::Time now) const {
  const absl::Time threshold = now - period_;
  std::size_t count = 0;
  for (const absl::Time& at : restarts_) count += at >= threshold;
  return count;
}

}  // namespace evergreen::internal
