// IoWatcher: cooperative waits for a file descriptor to become readable or
// writable — the Waiter + ev_io pair under every socket, pipe and
// user-supplied fd.
//
//   evergreen::IoWatcher io(fd);                 // fd is non-blocking
//   for (;;) {
//     ssize_t n = read(fd, buf, sizeof buf);     // try the syscall first
//     if (n >= 0 || errno != EAGAIN) break;
//     absl::Status s = io.Wait(evergreen::IoWatcher::kRead, absl::Seconds(5));
//     if (!s.ok()) return s;                     // timeout, closed, misuse
//   }
//
// One greenlet at a time may wait per direction: a second concurrent reader
// (or writer) is refused with FailedPrecondition (B-S2). Cancel() — what
// Close() from another greenlet calls — wakes the waiters at once with the
// reason given, never leaving them hanging.
//
// Thread affinity: the hub thread that created it. Not movable (libev holds
// pointers to it); owners that move keep it behind a pointer.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_IO_WATCHER_H_
#define EVERGREEN_FRAMEWORK_IO_WATCHER_H_

#include <ev.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "framework/hub.h"
#include "framework/waiter.h"

namespace evergreen {

class IoWatcher {
 public:
  enum Direction { kRead = 0, kWrite = 1 };

  explicit IoWatcher(int fd);
  ~IoWatcher();  // Cancels with Cancelled("fd watcher destroyed").
  IoWatcher(const IoWatcher&) = delete;
  IoWatcher& operator=(const IoWatcher&) = delete;

  // Blocks until the fd is ready in `direction`, `timeout` passes, or
  // Cancel(). Returns OK when ready (a wake-up may be spurious: retry the
  // syscall). Errors: DeadlineExceeded on timeout; FailedPrecondition when
  // another greenlet already waits in that direction; the Cancel() reason.
  // Throws as Waiter::Wait (GreenletExit, TimeoutError, ...).
  absl::Status Wait(Direction direction,
                    absl::Duration timeout = absl::InfiniteDuration());

  // Wakes the current waiters with `reason` (not OK). Idempotent per wait.
  void Cancel(const absl::Status& reason);

  int fd() const { return fd_; }

 private:
  struct Slot {
    ev_io io;          // first: the callback casts back
    Waiter* waiter = nullptr;
    absl::Status cancelled;
  };
  static void OnReady(struct ev_loop* loop, ev_io* io, int revents);

  Hub* hub_;
  int fd_;
  Slot slots_[2];
};

// Convenience for users who bring their own fds: a one-off wait.
absl::Status WaitReadable(int fd,
                          absl::Duration timeout = absl::InfiniteDuration());
absl::Status WaitWritable(int fd,
                          absl::Duration timeout = absl::InfiniteDuration());

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_IO_WATCHER_H_
