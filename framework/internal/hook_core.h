// What every hooked call shares (framework/hooks.h): libc's originals, the
// "should this call be cooperative" test, and the waits that turn errors
// and exceptions into errno values.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_HOOK_CORE_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_HOOK_CORE_H_

#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include <atomic>

#include "absl/time/time.h"
#include "framework/hooks.h"
#include "framework/hub.h"

namespace evergreen::hooks::internal {

// libc's definitions, found with dlsym(RTLD_NEXT): the next object after
// this library in lookup order, so never the hooks themselves.
struct Originals {
  ssize_t (*read)(int, void*, size_t);
  ssize_t (*write)(int, const void*, size_t);
  ssize_t (*readv)(int, const struct iovec*, int);
  ssize_t (*writev)(int, const struct iovec*, int);
  ssize_t (*recv)(int, void*, size_t, int);
  ssize_t (*recvfrom)(int, void*, size_t, int, struct sockaddr*, socklen_t*);
  ssize_t (*recvmsg)(int, struct msghdr*, int);
  ssize_t (*send)(int, const void*, size_t, int);
  ssize_t (*sendto)(int, const void*, size_t, int, const struct sockaddr*,
                    socklen_t);
  ssize_t (*sendmsg)(int, const struct msghdr*, int);
  int (*connect)(int, const struct sockaddr*, socklen_t);
  int (*accept)(int, struct sockaddr*, socklen_t*);
  int (*accept4)(int, struct sockaddr*, socklen_t*, int);
  int (*poll)(struct pollfd*, nfds_t, int);
  int (*ppoll)(struct pollfd*, nfds_t, const struct timespec*, const sigset_t*);
  int (*select)(int, fd_set*, fd_set*, fd_set*, struct timeval*);
  int (*epoll_wait)(int, struct epoll_event*, int, int);
  unsigned int (*sleep)(unsigned int);
  int (*usleep)(useconds_t);
  int (*nanosleep)(const struct timespec*, struct timespec*);
  int (*clock_nanosleep)(clockid_t, int, const struct timespec*,
                         struct timespec*);
  int (*getaddrinfo)(const char*, const char*, const struct addrinfo*,
                     struct addrinfo**);
  void (*freeaddrinfo)(struct addrinfo*);
  struct hostent* (*gethostbyname)(const char*);
  int (*gethostbyname_r)(const char*, struct hostent*, char*, size_t,
                         struct hostent**, int*);
};
const Originals& Libc();

extern std::atomic<unsigned> enabled;
extern thread_local unsigned disabled_on_thread;
extern thread_local unsigned long long cooperative_waits;
extern thread_local unsigned long long hook_entries;  // Linked()'s probe

// True when one of `subsystems` is on for the calling thread.
inline bool On(unsigned subsystems) {
  return (enabled.load(std::memory_order_relaxed) & ~disabled_on_thread &
          subsystems) != 0;
}

// The hub to wait on when a call of one of `subsystems` should be
// cooperative here and now; nullptr when it must be libc's call as is.
inline Hub* CooperativeHub(unsigned subsystems) {
  ++hook_entries;
  if (!On(subsystems)) return nullptr;
  Hub* hub = Hub::CurrentIfExists();
  if (hub == nullptr || hub->InHub() || hub->destroying()) return nullptr;
  return hub;
}

// True when the fd is in blocking mode (false also for a bad fd: the
// original call then reports the error).
bool IsBlocking(int fd);

// What a wait ended with: 0 when it may retry (ready, or woken), else the
// errno the hooked call fails with.
//   EAGAIN     the call's own timeout passed (a socket's SO_RCVTIMEO)
//   ETIMEDOUT  the current deadline passed, or a scoped Timeout fired
//   ECANCELED  another exception (a kill) was thrown into the greenlet
// An exception caught here stays pending for the greenlet (RethrowPending);
// while one is pending, every wait fails at once with its errno.
int WaitFd(int fd, bool write, absl::Duration own_timeout);

// Waits until one of `fds` may be ready or `timeout` passes. Returns 0
// when woken by an fd, -1 when `timeout` passed, else an errno as WaitFd.
int WaitFds(const struct pollfd* fds, nfds_t nfds, absl::Duration timeout);

// A delay (not shortened by the deadline). Returns 0 when it ran out, else
// an errno as WaitFd (the delay was cut short).
int Delay(absl::Duration duration);

// Runs `fn` on the hub's ThreadPool and waits for it; returns 0, or an
// errno as WaitFd when the wait was cut short (`fn` still runs to its end
// on the pool; what it owns must be owned by the lambda).
int OnThreadPool(absl::AnyInvocable<void()> fn);

// The socket's SO_RCVTIMEO (`write` false) or SO_SNDTIMEO; infinite when
// unset or unknown.
absl::Duration SocketTimeout(int fd, bool write);

// Waits until poll(2) reports the fd ready (or in error) in the
// direction, or `give_up` passes. Returns 0 or an errno as WaitFd.
int AwaitReady(int fd, bool write, absl::Time give_up);

// Sets errno to `error` and returns -1.
long Fail(int error);

// hooks::RethrowPending's body.
void RethrowPendingError();

}  // namespace evergreen::hooks::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_HOOK_CORE_H_
