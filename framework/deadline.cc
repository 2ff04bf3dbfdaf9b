#include "framework/deadline.h"

#include <algorithm>

namespace evergreen {

absl::Duration TimeUntilDeadline() {
  const absl::Time deadline = CurrentDeadline();
  if (deadline == absl::InfiniteFuture()) return absl::InfiniteDuration();
  return std::max(deadline - absl::Now(), absl::ZeroDuration());
}

DeadlineScope::DeadlineScope(absl::Time deadline)
    : greenlet_(RawGreenlet::Current()), saved_(greenlet_->deadline()) {
  greenlet_->set_deadline(std::min(saved_, deadline));
}

DeadlineScope::DeadlineScope(absl::Duration timeout)
    : DeadlineScope(timeout == absl::InfiniteDuration()
                        ? absl::InfiniteFuture()
                        : absl::Now() + timeout) {}

namespace internal {

NoDeadlineScope::NoDeadlineScope()
    : greenlet_(RawGreenlet::Current()), saved_(greenlet_->deadline()) {
  greenlet_->set_deadline(absl::InfiniteFuture());
}

std::string DescribeTimeout(absl::Duration timeout) {
  const absl::Time deadline = CurrentDeadline();
  if (deadline != absl::InfiniteFuture() && absl::Now() >= deadline) {
    return "deadline exceeded";
  }
  return absl::StrCat("timed out after ", absl::FormatDuration(timeout));
}

}  // namespace internal
}  // namespace evergreen
