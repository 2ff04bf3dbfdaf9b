#include "framework/timeout.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "framework/internal/hub_access.h"

namespace evergreen {

TimeoutError::TimeoutError(absl::Duration duration, const Timeout* source)
    : TimeoutError(duration, source,
                   absl::StrCat("timed out after ",
                                absl::FormatDuration(duration))) {}

TimeoutError::TimeoutError(absl::Duration duration, const Timeout* source,
                           std::string what)
    : StatusError(absl::DeadlineExceededError(what), what),
      duration_(duration),
      source_(source) {}

Timeout::Timeout(absl::Duration duration, Deferred)
    : duration_(duration), hub_(Hub::Current()), fire_node_(&Timeout::Fire) {
  ev_timer_init(&timer_, &Timeout::OnTimer, 0.0, 0.0);
}

Timeout::Timeout(absl::Duration duration) : Timeout(duration, Deferred()) {
  Start();
}

Timeout::Timeout(absl::Duration duration, std::exception_ptr exception)
    : Timeout(duration, Deferred()) {
  exception_ = std::move(exception);
  Start();
}

Timeout::~Timeout() { Cancel(); }

void Timeout::Start() {
  hub_->CheckThread("Timeout::Start");
  Cancel();
  if (duration_ == absl::InfiniteDuration()) return;
  target_ = RawGreenlet::Current();
  const double seconds =
      duration_ > absl::ZeroDuration() ? absl::ToDoubleSeconds(duration_) : 0.0;
  hub_->RefreshLoopTime();  // count from the call, not the last poll
  ev_timer_set(&timer_, seconds, 0.0);
  ev_timer_start(hub_->loop(), &timer_);
  internal::HubAccess::CountWatcher(hub_, 1);
  pending_ = true;
}

void Timeout::Cancel() {
  if (ev_is_active(&timer_)) {
    ev_timer_stop(hub_->loop(), &timer_);
    internal::HubAccess::CountWatcher(hub_, -1);
  }
  fire_node_.Unlink();
  pending_ = false;
}

void Timeout::OnTimer(struct ev_loop*, ev_timer* timer, int) {
  auto* timeout = reinterpret_cast<Timeout*>(
      reinterpret_cast<char*>(timer) - offsetof(Timeout, timer_));
  // A one-shot timer stops as it fires.
  internal::HubAccess::CountWatcher(timeout->hub_, -1);
  // Never switch inside libev: the hub delivers the expiry on its turn.
  internal::HubAccess::Schedule(timeout->hub_, &timeout->fire_node_);
}

void Timeout::Fire(internal::Runnable* node, bool discard) {
  auto* timeout = reinterpret_cast<Timeout*>(
      reinterpret_cast<char*>(node) - offsetof(Timeout, fire_node_));
  if (discard) return;
  timeout->pending_ = false;
  RawGreenlet* target = timeout->target_;
  if (target->dead()) return;
  std::exception_ptr error =
      timeout->exception_ != nullptr
          ? timeout->exception_
          : std::make_exception_ptr(TimeoutError(timeout->duration_, timeout));
  // The target may destroy `timeout` while unwinding: touch it no more.
  target->Throw(std::move(error));
}

}  // namespace evergreen
