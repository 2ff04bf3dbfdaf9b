#include "framework/internal/child_exit.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/hub_stats.h"
#include "framework/io_watcher.h"
#include "framework/waiter.h"

namespace evergreen::internal {
namespace {

int OpenPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) return fd;  // pidfds are close-on-exec by definition
#endif
  return -1;
}

// Reaps children that nobody waits for any more. One thread per process,
// started on first use and never stopped (it sleeps in poll while it has
// nothing to reap).
class Reaper {
 public:
  static Reaper& Get() {
    static Reaper* reaper = new Reaper();  // never destroyed: detached thread
    return *reaper;
  }

  void Add(pid_t pid, int pidfd) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      children_.push_back({pid, pidfd});
      if (pidfd >= 0) CountProcessWideFd(1);  // until reaped
    }
    const std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }

 private:
  struct Child {
    pid_t pid;
    int pidfd;
  };

  Reaper() : wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_fd_ >= 0) CountProcessWideFd(1);
    std::thread([this] { Loop(); }).detach();
  }

  void Loop() {
    std::vector<pollfd> fds;
    for (;;) {
      bool without_pidfd = false;
      fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
      {
        std::lock_guard<std::mutex> lock(mu_);
        // Reap what has exited; keep watching the rest.
        std::erase_if(children_, [](const Child& child) {
          int status;
          const pid_t r = waitpid(child.pid, &status, WNOHANG);
          if (r == 0) return false;
          if (child.pidfd >= 0) {
            ::close(child.pidfd);
            CountProcessWideFd(-1);
          }
          return true;
        });
        for (const Child& child : children_) {
          if (child.pidfd >= 0) {
            fds.push_back(pollfd{child.pidfd, POLLIN, 0});
          } else {
            without_pidfd = true;
          }
        }
      }
      ::poll(fds.data(), fds.size(), without_pidfd ? 50 : -1);
      std::uint64_t drained;
      (void)!::read(wake_fd_, &drained, sizeof drained);
    }
  }

  const int wake_fd_;
  std::mutex mu_;
  std::vector<Child> children_;  // guarded by mu_
};

}  // namespace

void ReapInBackground(pid_t pid, int pidfd) { Reaper::Get().Add(pid, pidfd); }

ChildExit::ChildExit(pid_t pid) : pid_(pid), pidfd_(OpenPidfd(pid)) {}

ChildExit::~ChildExit() {
  if (status_.has_value() || !lost_.ok()) return;
  absl::StatusOr<std::optional<int>> now = Poll();
  if (now.ok() && !now->has_value()) {
    ReapInBackground(pid_, pidfd_);
    pidfd_ = -1;
  }
}

absl::StatusOr<std::optional<int>> ChildExit::Poll() {
  if (status_.has_value()) return status_;
  if (!lost_.ok()) return lost_;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::optional<int>();
  if (pidfd_ >= 0) {
    ::close(pidfd_);
    pidfd_ = -1;
  }
  if (r < 0) {
    lost_ = absl::InternalError(absl::StrCat(
        "process ", pid_,
        " was reaped by someone else (SIGCHLD ignored, or waitpid(-1) "
        "elsewhere in the process)"));
    return lost_;
  }
  status_ = status;
  return status_;
}

absl::StatusOr<int> ChildExit::Wait(absl::Duration timeout) {
  const absl::Time deadline = timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : absl::Now() + timeout;
  absl::Duration backoff = absl::Milliseconds(1);
  for (;;) {
    absl::StatusOr<std::optional<int>> now = Poll();
    if (!now.ok()) return now.status();
    if (now->has_value()) return **now;
    const absl::Duration remaining = deadline == absl::InfiniteFuture()
                                         ? absl::InfiniteDuration()
                                         : deadline - absl::Now();
    bool waited;
    if (pidfd_ >= 0) {
      IoWatcher io(pidfd_);
      waited = io.Wait(IoWatcher::kRead, remaining).ok();
    } else {
      // Without a pidfd: poll on a timer that backs off to 50 ms.
      // A wait cut short without a wake-up was clamped by the current
      // deadline: that, too, ends the wait.
      const absl::Duration step = std::min(remaining, backoff);
      const absl::Time start = absl::Now();
      Waiter waiter;
      waiter.Wait(step);
      backoff = std::min(backoff * 2, absl::Milliseconds(50));
      waited = absl::Now() - start >= step && absl::Now() < deadline;
    }
    if (!waited) {
      now = Poll();
      if (now.ok() && now->has_value()) return **now;
      return absl::DeadlineExceededError(absl::StrCat(
          "timed out after ", absl::FormatDuration(timeout),
          " waiting for process ", pid_, " to exit"));
    }
  }
}

}  // namespace evergreen::internal
