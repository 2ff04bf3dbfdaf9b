#include "net/internal/idle_watchdog.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace evergreen::internal {
namespace {

double Seconds(absl::Duration d) {
  return d == absl::InfiniteDuration() ? -1 : absl::ToDoubleSeconds(d);
}

}  // namespace

IdleWatchdog::IdleWatchdog(absl::Duration idle, absl::Duration lifetime,
                           absl::AnyInvocable<void(absl::Status)> on_expiry)
    : hub_(Hub::Current()),
      idle_(Seconds(idle)),
      lifetime_(Seconds(lifetime)),
      start_(ev_now(hub_->loop())),
      last_activity_(start_),
      idle_duration_(idle),
      lifetime_duration_(lifetime),
      on_expiry_(std::move(on_expiry)) {
  ev_init(&timer_, &IdleWatchdog::OnTimer);
  bool idle_first = false;
  Arm(Remaining(start_, &idle_first));
}

IdleWatchdog::~IdleWatchdog() { Disarm(); }

double IdleWatchdog::Remaining(double now, bool* idle) const {
  double remaining = -1;
  bool have = false;
  if (idle_ >= 0) {
    remaining = last_activity_ + idle_ - now;
    have = true;
    *idle = true;
  }
  if (lifetime_ >= 0) {
    const double left = start_ + lifetime_ - now;
    if (!have || left < remaining) {
      remaining = left;
      *idle = false;
    }
  }
  return remaining;
}

void IdleWatchdog::Arm(double after) {
  ev_timer_set(&timer_, std::max(after, 0.0), 0.);
  ev_timer_start(hub_->loop(), &timer_);
  // A limit on a connection is no reason for the loop to keep running.
  ev_unref(hub_->loop());
}

void IdleWatchdog::Disarm() {
  if (!ev_is_active(&timer_)) return;
  ev_ref(hub_->loop());
  ev_timer_stop(hub_->loop(), &timer_);
}

void IdleWatchdog::OnTimer(struct ev_loop* loop, ev_timer* timer, int) {
  auto* self = reinterpret_cast<IdleWatchdog*>(timer);
  // The one-shot timer has stopped itself: balance the unref.
  ev_ref(loop);
  bool idle = false;
  const double remaining = self->Remaining(ev_now(loop), &idle);
  if (remaining > 0) {
    self->Arm(remaining);  // activity since: wait for the new deadline
    return;
  }
  absl::Status reason =
      idle ? absl::DeadlineExceededError(absl::StrCat(
                 "idle for ", absl::FormatDuration(self->idle_duration_),
                 " (the idle timeout); connection closed"))
           : absl::DeadlineExceededError(absl::StrCat(
                 "open for ", absl::FormatDuration(self->lifetime_duration_),
                 " (the connection lifetime limit); connection closed"));
  // May destroy `self` (the socket's state drops its watchdog on close).
  auto on_expiry = std::move(self->on_expiry_);
  on_expiry(std::move(reason));
}

}  // namespace evergreen::internal
