#include "framework/async_result.h"

namespace evergreen::internal {

bool AsyncResultCore::Complete() {
  ready_ = true;
  NotifyLinks();
  return true;
}

bool AsyncResultCore::SetErrorHere(std::exception_ptr error) {
  if (ready_) return false;
  error_ = std::move(error);
  return Complete();
}

bool AsyncResultCore::Wait(absl::Duration timeout) {
  hub_->CheckThread("AsyncResult::Wait");
  WaitForLinkable(*this, timeout);
  return ready_;
}

void AsyncResultCore::WaitForGet(absl::Duration timeout) {
  if (!Wait(timeout)) throw TimeoutError(timeout);
  if (error_ != nullptr) std::rethrow_exception(error_);
}

absl::Status AsyncResultCore::WaitForResult(absl::Duration timeout) {
  if (!ready_ && !Wait(timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "AsyncResult::Result: not set within ", absl::FormatDuration(timeout)));
  }
  return StatusFromException(error_);
}

}  // namespace evergreen::internal
