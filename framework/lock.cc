#include "framework/lock.h"

namespace evergreen {

bool RLock::Acquire(absl::Duration timeout) {
  // A greenlet of another thread is never the owner: it reaches lock_,
  // which refuses it with WrongThreadError.
  if (owner_ != nullptr && owner_ == RawGreenlet::Current()) {
    ++count_;
    return true;
  }
  if (!lock_.Acquire(timeout)) return false;
  owner_ = RawGreenlet::Current();
  count_ = 1;
  return true;
}

void RLock::Release() {
  hub_->CheckThread("RLock::Release");
  if (owner_ == nullptr || owner_ != RawGreenlet::Current()) {
    throw LockError(owner_ == nullptr
                        ? "RLock::Release: the lock is not held"
                        : "RLock::Release: the calling greenlet does not own "
                          "the lock");
  }
  if (--count_ > 0) return;
  owner_ = nullptr;
  lock_.Release();
}

}  // namespace evergreen
