#include "framework/async_result.h"

#include <memory>
#include <utility>

#include "framework/event.h"
#include "framework/keep_alive.h"

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
  if (!OnOwnerThread()) return WaitAcross(timeout);
  hub_->CheckThread("AsyncResult::Wait");
  WaitForLinkable(*this, timeout);
  return ready_;
}

void AsyncResultCore::WaitForGet(absl::Duration timeout) {
  if (!Wait(timeout)) throw TimeoutError(timeout);
  if (error_ != nullptr) std::rethrow_exception(error_);
}

absl::Status AsyncResultCore::WaitForResult(absl::Duration timeout) {
  // ready_ is the owner's to read; another hub learns it by waiting.
  if ((!OnOwnerThread() || !ready_) && !Wait(timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "AsyncResult::Result: not set within ", absl::FormatDuration(timeout)));
  }
  return StatusFromException(error_);
}

bool AsyncResultCore::WaitAcross(absl::Duration timeout) {
  // The owner's side of the wait, touched only on the owner's thread: the
  // link that will wake us, until it has run or was withdrawn.
  struct OwnerSide {
    CallbackLink* link = nullptr;
  };
  auto owner_side = std::make_shared<OwnerSide>();
  Event done;  // on the waiter's hub
  HubKeepAlive alive;
  const bool asked =
      remote_->Post([self = shared_from_this(), done, owner_side]() mutable {
        if (self->ready()) {
          done.Set();  // through the waiter's ev_async
          return;
        }
        owner_side->link =
            new CallbackLink(self->hub(), [done, owner_side]() mutable {
              owner_side->link = nullptr;  // deleted after this returns
              done.Set();
            });
        self->AddLink(owner_side->link);
      });
  if (!asked) return false;  // the owner's hub is gone
  if (done.Wait(timeout)) return true;
  // Timed out: withdraw the link so that it does not outlive the wait.
  remote_->Post([self = shared_from_this(), owner_side] {
    if (owner_side->link != nullptr) {
      std::exchange(owner_side->link, nullptr)->Cancel(*self);
    }
  });
  return false;
}

}  // namespace evergreen::internal
