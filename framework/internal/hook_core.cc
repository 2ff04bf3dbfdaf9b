#include "framework/internal/hook_core.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "framework/deadline.h"
#include "framework/greenlet_local.h"
#include "framework/thread_pool.h"
#include "framework/timeout.h"
#include "framework/waiter.h"

namespace evergreen::hooks::internal {

std::atomic<unsigned> enabled{0};
thread_local unsigned disabled_on_thread = 0;
thread_local unsigned long long cooperative_waits = 0;
thread_local unsigned long long hook_entries = 0;

namespace {

template <typename F>
void Resolve(F*& slot, const char* name) {
  slot = reinterpret_cast<F*>(dlsym(RTLD_NEXT, name));
  if (slot == nullptr) {
    std::fprintf(stderr, "evergreen hooks: libc has no %s: %s\n", name,
                 dlerror());
    std::abort();
  }
}

Originals ResolveAll() {
  Originals o;
  Resolve(o.read, "read");
  Resolve(o.write, "write");
  Resolve(o.readv, "readv");
  Resolve(o.writev, "writev");
  Resolve(o.recv, "recv");
  Resolve(o.recvfrom, "recvfrom");
  Resolve(o.recvmsg, "recvmsg");
  Resolve(o.send, "send");
  Resolve(o.sendto, "sendto");
  Resolve(o.sendmsg, "sendmsg");
  Resolve(o.connect, "connect");
  Resolve(o.accept, "accept");
  Resolve(o.accept4, "accept4");
  Resolve(o.poll, "poll");
  Resolve(o.ppoll, "ppoll");
  Resolve(o.select, "select");
  Resolve(o.epoll_wait, "epoll_wait");
  Resolve(o.sleep, "sleep");
  Resolve(o.usleep, "usleep");
  Resolve(o.nanosleep, "nanosleep");
  Resolve(o.clock_nanosleep, "clock_nanosleep");
  Resolve(o.getaddrinfo, "getaddrinfo");
  Resolve(o.freeaddrinfo, "freeaddrinfo");
  Resolve(o.gethostbyname, "gethostbyname");
  Resolve(o.gethostbyname_r, "gethostbyname_r");
  return o;
}

// An exception that interrupted a hooked wait, kept for RethrowPending.
// `pending_on_thread` lets the common case skip the GreenletLocal lookup
// (which takes a lock).
thread_local int pending_on_thread = 0;

struct Pending {
  std::exception_ptr error;
  int code = 0;
  Pending() = default;
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;
  ~Pending() {
    if (error != nullptr) --pending_on_thread;
  }
};

GreenletLocal<Pending>& PendingLocal() {
  static auto* local = new GreenletLocal<Pending>();
  return *local;
}

int PendingCode() {
  if (pending_on_thread == 0 || !PendingLocal().has_value()) return 0;
  return PendingLocal()->code;
}

int Keep(std::exception_ptr error, int code) {
  Pending& pending = *PendingLocal();
  if (pending.error == nullptr) ++pending_on_thread;
  pending.error = std::move(error);
  pending.code = code;
  return code;
}

// The errno for the exception being handled: a scoped Timeout's is kept
// pending (ETIMEDOUT); a timed wait's own (source() == nullptr) is only the
// deadline passing; anything else is kept as ECANCELED.
int FromException() {
  try {
    throw;
  } catch (const TimeoutError& e) {
    if (e.source() == nullptr) return ETIMEDOUT;
    return Keep(std::current_exception(), ETIMEDOUT);
  } catch (...) {
    return Keep(std::current_exception(), ECANCELED);
  }
}

int TimedOut() { return absl::Now() >= CurrentDeadline() ? ETIMEDOUT : EAGAIN; }

struct FdWatch {
  ev_io io;  // first: the callback casts back
  Waiter* waiter;
};

void OnFdReady(struct ev_loop*, ev_io* io, int) {
  reinterpret_cast<FdWatch*>(io)->waiter->Wake();
}

}  // namespace

const Originals& Libc() {
  static const Originals originals = ResolveAll();
  return originals;
}

bool IsBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) == 0;
}

int WaitFd(int fd, bool write, absl::Duration own_timeout) {
  if (int code = PendingCode()) return code;
  ++cooperative_waits;
  try {
    // One ev_io on the stack: cheaper than an IoWatcher, which is built
    // for watching an fd over and over.
    Waiter waiter;
    FdWatch watch{};
    watch.waiter = &waiter;
    ev_io_init(&watch.io, &OnFdReady, fd, write ? EV_WRITE : EV_READ);
    struct ev_loop* loop = waiter.hub()->loop();
    ev_io_start(loop, &watch.io);
    struct Stop {
      struct ev_loop* loop;
      ev_io* io;
      ~Stop() { ev_io_stop(loop, io); }
    } stop{loop, &watch.io};
    if (waiter.Wait(own_timeout)) return 0;  // ready, or spurious: retry
    return TimedOut();
  } catch (...) {
    return FromException();
  }
}

int WaitFds(const struct pollfd* fds, nfds_t nfds, absl::Duration timeout) {
  if (int code = PendingCode()) return code;
  ++cooperative_waits;
  try {
    Waiter waiter;
    std::vector<FdWatch> watches(nfds);
    Hub* hub = waiter.hub();
    struct Stop {
      Hub* hub;
      std::vector<FdWatch>* watches;
      ~Stop() {
        for (FdWatch& w : *watches) {
          if (ev_is_active(&w.io)) ev_io_stop(hub->loop(), &w.io);
        }
      }
    } stop{hub, &watches};
    for (nfds_t i = 0; i < nfds; ++i) {
      int events = 0;
      if (fds[i].events & (POLLIN | POLLPRI | POLLRDHUP)) events |= EV_READ;
      if (fds[i].events & POLLOUT) events |= EV_WRITE;
      if (fds[i].fd < 0 || events == 0) continue;
      ev_io_init(&watches[i].io, &OnFdReady, fds[i].fd, events);
      watches[i].waiter = &waiter;
      ev_io_start(hub->loop(), &watches[i].io);
    }
    if (waiter.Wait(timeout)) return 0;
    return absl::Now() >= CurrentDeadline() ? ETIMEDOUT : -1;
  } catch (...) {
    return FromException();
  }
}

int Delay(absl::Duration duration) {
  if (int code = PendingCode()) return code;
  ++cooperative_waits;
  try {
    Waiter waiter;
    (void)waiter.WaitIgnoringDeadline(duration);
    return 0;
  } catch (...) {
    return FromException();
  }
}

int OnThreadPool(absl::AnyInvocable<void()> fn) {
  if (int code = PendingCode()) return code;
  ++cooperative_waits;
  try {
    AsyncResult<void> done = ThreadPool::Default()->Spawn(std::move(fn));
    return done.Wait() ? 0 : ETIMEDOUT;  // not ready: the deadline passed
  } catch (...) {
    return FromException();
  }
}

absl::Duration SocketTimeout(int fd, bool write) {
  struct timeval tv {};
  socklen_t len = sizeof tv;
  if (getsockopt(fd, SOL_SOCKET, write ? SO_SNDTIMEO : SO_RCVTIMEO, &tv,
                 &len) != 0 ||
      (tv.tv_sec == 0 && tv.tv_usec == 0)) {
    return absl::InfiniteDuration();
  }
  return absl::DurationFromTimeval(tv);
}

int AwaitReady(int fd, bool write, absl::Time give_up) {
  for (;;) {
    struct pollfd p {
      fd, static_cast<short>(write ? POLLOUT : POLLIN), 0
    };
    if (Libc().poll(&p, 1, 0) != 0) return 0;  // ready, or poll's error
    if (int code = WaitFd(fd, write, give_up - absl::Now())) return code;
  }
}

long Fail(int error) {
  errno = error;
  return -1;
}

void RethrowPendingError() {
  if (pending_on_thread == 0 || !PendingLocal().has_value()) return;
  Pending& pending = *PendingLocal();
  std::exception_ptr error = std::move(pending.error);
  if (error == nullptr) return;
  pending.error = nullptr;
  pending.code = 0;
  --pending_on_thread;
  std::rethrow_exception(error);
}

}  // namespace evergreen::hooks::internal
