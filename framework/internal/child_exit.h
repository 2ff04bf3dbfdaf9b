// ChildExit: waiting for one child process to exit, and reaping it.
//
// Where the kernel has pidfds (Linux 5.3+), the wait is an IoWatcher on
// the child's pidfd, which becomes readable when the child exits: no
// SIGCHLD handler is installed, so no hub and no library has to own that
// process-wide signal, and hubs on several threads wait on their own
// children independently. Without pidfds the wait polls waitpid(WNOHANG)
// on a backing-off timer (1 ms up to 50 ms).
//
// A child never becomes a lasting zombie: one not reaped when its
// ChildExit is destroyed is handed to a process-wide reaper thread, which
// reaps it when it exits.
//
// Thread affinity: the hub thread that created it.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_CHILD_EXIT_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_CHILD_EXIT_H_

#include <sys/types.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace evergreen::internal {

class ChildExit {
 public:
  explicit ChildExit(pid_t pid);
  ~ChildExit();
  ChildExit(const ChildExit&) = delete;
  ChildExit& operator=(const ChildExit&) = delete;

  // The wait status (as waitpid's) once the child has exited and been
  // reaped; nullopt while it runs. Never blocks. Errors: Internal when
  // someone else reaped the child (SIGCHLD set to SIG_IGN, or a
  // waitpid(-1) elsewhere in the process).
  absl::StatusOr<std::optional<int>> Poll();

  // Blocks until the child exits (what wakes it: its pidfd becoming
  // readable) and returns its wait status. Errors: DeadlineExceeded on
  // timeout (or the current deadline); as Poll(). Throws as Waiter::Wait.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  // The pidfd, or -1 (no pidfd support, or reaped).
  int pidfd() const { return pidfd_; }

 private:
  pid_t pid_;
  int pidfd_;
  std::optional<int> status_;
  absl::Status lost_;
};

// Hands a child nobody will wait for to the reaper thread. Takes `pidfd`
// (may be -1). Any thread.
void ReapInBackground(pid_t pid, int pidfd);

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_CHILD_EXIT_H_
