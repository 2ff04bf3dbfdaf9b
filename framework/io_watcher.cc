#include "framework/io_watcher.h"

#include "absl/strings/str_cat.h"
#include "framework/deadline.h"
#include "framework/internal/hub_access.h"

namespace evergreen {

IoWatcher::IoWatcher(int fd) : hub_(Hub::Current()), fd_(fd) {
  ev_io_init(&slots_[kRead].io, &IoWatcher::OnReady, fd, EV_READ);
  ev_io_init(&slots_[kWrite].io, &IoWatcher::OnReady, fd, EV_WRITE);
}

IoWatcher::~IoWatcher() {
  Cancel(absl::CancelledError("fd watcher destroyed"));
  for (Slot& slot : slots_) {
    if (ev_is_active(&slot.io)) {
      ev_io_stop(hub_->loop(), &slot.io);
      internal::HubAccess::CountWatcher(hub_, -1);
    }
  }
}

void IoWatcher::OnReady(struct ev_loop* loop, ev_io* io, int) {
  ev_io_stop(loop, io);
  internal::HubAccess::CountWatcher(static_cast<Hub*>(ev_userdata(loop)), -1);
  Slot* slot = reinterpret_cast<Slot*>(io);
  if (slot->waiter != nullptr) slot->waiter->Wake();
}

absl::Status IoWatcher::Wait(Direction direction, absl::Duration timeout) {
  hub_->CheckThread("IoWatcher::Wait");
  Slot& slot = slots_[direction];
  if (slot.waiter != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "another greenlet is already ", direction == kRead ? "reading" : "writing",
        " fd ", fd_));
  }
  Waiter waiter;
  slot.waiter = &waiter;
  slot.cancelled = absl::OkStatus();
  ev_io_start(hub_->loop(), &slot.io);
  internal::HubAccess::CountWatcher(hub_, 1);
  struct Done {
    IoWatcher* self;
    Slot* slot;
    ~Done() {
      slot->waiter = nullptr;
      if (ev_is_active(&slot->io)) {
        ev_io_stop(self->hub_->loop(), &slot->io);
        internal::HubAccess::CountWatcher(self->hub_, -1);
      }
    }
  } done{this, &slot};
  if (!waiter.Wait(timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        internal::DescribeTimeout(timeout), " waiting for fd ",
        fd_, " to become ", direction == kRead ? "readable" : "writable"));
  }
  return slot.cancelled;
}

void IoWatcher::Cancel(const absl::Status& reason) {
  for (Slot& slot : slots_) {
    // Unregister now: the owner may close the fd before the waiter runs.
    if (ev_is_active(&slot.io)) {
      ev_io_stop(hub_->loop(), &slot.io);
      internal::HubAccess::CountWatcher(hub_, -1);
    }
    if (slot.waiter == nullptr) continue;
    slot.cancelled = reason;
    slot.waiter->Wake();
  }
}

absl::Status WaitReadable(int fd, absl::Duration timeout) {
  IoWatcher io(fd);
  return io.Wait(IoWatcher::kRead, timeout);
}

absl::Status WaitWritable(int fd, absl::Duration timeout) {
  IoWatcher io(fd);
  return io.Wait(IoWatcher::kWrite, timeout);
}

}  // namespace evergreen
