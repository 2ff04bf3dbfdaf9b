// The readiness calls of framework/hooks.h (kSelect): poll, ppoll, select
// and epoll_wait. Each asks the kernel without waiting first; only when
// nothing is ready does the greenlet wait on the hub for any of the fds
// (one ev_io each) and then ask again, so what the caller sees is always
// the kernel's own answer.
#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framework/internal/hook_core.h"

namespace evergreen::hooks::internal {
namespace {

absl::Time GiveUpAfterMillis(int timeout_ms) {
  return timeout_ms < 0 ? absl::InfiniteFuture()
                        : absl::Now() + absl::Milliseconds(timeout_ms);
}

// `check()` asks the kernel without waiting (> 0 ready, < 0 error); until
// it says something, waits on `fds`. Returns check()'s answer, 0 when
// `give_up` passed, or -1 with errno as WaitFd.
template <typename Check>
int CooperativePoll(const struct pollfd* fds, nfds_t nfds, absl::Time give_up,
                    Check check) {
  for (;;) {
    const int ready = check();
    if (ready != 0) return ready;
    const int code = WaitFds(fds, nfds, give_up - absl::Now());
    if (code == -1) return 0;
    if (code != 0) return static_cast<int>(Fail(code));
  }
}

int Poll(struct pollfd* fds, nfds_t nfds, absl::Time give_up) {
  return CooperativePoll(fds, nfds, give_up,
                         [&] { return Libc().poll(fds, nfds, 0); });
}

}  // namespace
}  // namespace evergreen::hooks::internal

using evergreen::hooks::internal::CooperativeHub;
using evergreen::hooks::internal::CooperativePoll;
using evergreen::hooks::internal::GiveUpAfterMillis;
using evergreen::hooks::internal::Libc;
namespace hooks = evergreen::hooks;

extern "C" {

int poll(struct pollfd* fds, nfds_t nfds, int timeout_ms) {
  if (timeout_ms == 0 || CooperativeHub(hooks::kSelect) == nullptr) {
    return Libc().poll(fds, nfds, timeout_ms);
  }
  return evergreen::hooks::internal::Poll(fds, nfds,
                                          GiveUpAfterMillis(timeout_ms));
}

// With a signal mask, ppoll's atomic unblock-and-wait cannot be had
// cooperatively: such calls stay libc's.
int ppoll(struct pollfd* fds, nfds_t nfds, const struct timespec* timeout,
          const sigset_t* sigmask) {
  if (sigmask != nullptr ||
      (timeout != nullptr && timeout->tv_sec == 0 && timeout->tv_nsec == 0) ||
      CooperativeHub(hooks::kSelect) == nullptr) {
    return Libc().ppoll(fds, nfds, timeout, sigmask);
  }
  const absl::Time give_up =
      timeout == nullptr ? absl::InfiniteFuture()
                         : absl::Now() + absl::DurationFromTimespec(*timeout);
  return evergreen::hooks::internal::Poll(fds, nfds, give_up);
}

int select(int nfds, fd_set* readfds, fd_set* writefds, fd_set* exceptfds,
           struct timeval* timeout) {
  if ((timeout != nullptr && timeout->tv_sec == 0 && timeout->tv_usec == 0) ||
      nfds < 0 || nfds > FD_SETSIZE ||
      CooperativeHub(hooks::kSelect) == nullptr) {
    return Libc().select(nfds, readfds, writefds, exceptfds, timeout);
  }
  const absl::Time give_up =
      timeout == nullptr ? absl::InfiniteFuture()
                         : absl::Now() + absl::DurationFromTimeval(*timeout);
  std::vector<struct pollfd> fds;
  for (int fd = 0; fd < nfds; ++fd) {
    short events = 0;
    if (readfds != nullptr && FD_ISSET(fd, readfds)) events |= POLLIN;
    if (writefds != nullptr && FD_ISSET(fd, writefds)) events |= POLLOUT;
    if (exceptfds != nullptr && FD_ISSET(fd, exceptfds)) events |= POLLPRI;
    if (events != 0) fds.push_back({fd, events, 0});
  }
  // The kernel's select on copies, without waiting: its answer is exact.
  fd_set sets[3];
  fd_set* const given[3] = {readfds, writefds, exceptfds};
  const int ready = CooperativePoll(fds.data(), fds.size(), give_up, [&] {
    fd_set* copies[3];
    for (int i = 0; i < 3; ++i) {
      copies[i] = given[i] == nullptr ? nullptr : &(sets[i] = *given[i]);
    }
    struct timeval zero {};
    return Libc().select(nfds, copies[0], copies[1], copies[2], &zero);
  });
  if (ready < 0) return ready;
  for (int i = 0; i < 3; ++i) {
    if (given[i] == nullptr) continue;
    if (ready > 0) {
      *given[i] = sets[i];
    } else {
      FD_ZERO(given[i]);
    }
  }
  if (timeout != nullptr) {  // Linux reports the time left
    const absl::Duration left = give_up - absl::Now();
    *timeout = absl::ToTimeval(
        left > absl::ZeroDuration() ? left : absl::ZeroDuration());
  }
  return ready;
}

int epoll_wait(int epfd, struct epoll_event* events, int max_events,
               int timeout_ms) {
  if (timeout_ms == 0 || CooperativeHub(hooks::kSelect) == nullptr) {
    return Libc().epoll_wait(epfd, events, max_events, timeout_ms);
  }
  // An epoll fd is readable while one of its fds is ready.
  const struct pollfd self { epfd, POLLIN, 0 };
  return CooperativePoll(&self, 1, GiveUpAfterMillis(timeout_ms), [&] {
    return Libc().epoll_wait(epfd, events, max_events, 0);
  });
}

}  // extern "C"
