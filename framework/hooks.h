// Syscall hooks: blocking libc calls made cooperative ("monkey patching").
//
// Link //framework:hooks and call Enable() once (gevent's patch_all): from
// then on, an ordinary blocking call made by any code in the process — a C
// library nobody here wrote (libcurl, a database driver), or plain POSIX
// code — waits on the hub instead of blocking the thread when it is made
// from a greenlet:
//
//   evergreen::hooks::Enable();                 // all subsystems
//   for (int i = 0; i < 100; ++i) {
//     evergreen::Spawn([] {
//       sleep(1);                               // a cooperative 1 s
//       curl_easy_perform(handle_for_this_greenlet);   // poll(), recv()...
//     });
//   }
//   evergreen::Hub::Current()->Join();          // ~1 s in all, not 100 s
//
// Linking alone changes nothing: the interposed functions call libc's
// originals until Enable() turns a subsystem on (docs/os.md, "Syscall
// hooks", says how interposition works and what it cannot reach).
//
// Which calls, by subsystem:
//   kSocket  recv recvfrom recvmsg send sendto sendmsg connect accept
//            accept4, and read write readv writev on sockets
//   kPipe    read write readv writev on pipes, FIFOs and terminals
//   kSelect  poll ppoll select epoll_wait
//   kTime    sleep usleep nanosleep clock_nanosleep
//   kDns     getaddrinfo gethostbyname (run on the hub's ThreadPool)
// and the fortified twins __read_chk __recv_chk __recvfrom_chk __poll_chk
// __ppoll_chk that _FORTIFY_SOURCE builds call instead.
//
// A call is cooperative only when all of these hold; otherwise it is
// exactly libc's call: its subsystem is enabled for the process and not
// disabled on the calling thread (ScopedDisable); the thread has a hub; the
// caller is a greenlet, not the hub itself (libev callbacks, CallSoon); and
// for fd calls, the fd is in blocking mode (an fd the caller made
// non-blocking gets libc's EAGAIN as before). Regular files never block
// in this sense and are passed through.
//
// Blocking semantics are kept: a cooperative recv returns when data comes,
// a send on a blocking stream socket returns when all of it is sent, a
// socket's own SO_RCVTIMEO / SO_SNDTIMEO still expire with EAGAIN. The fd's
// mode is never changed for the wait (MSG_DONTWAIT, or readiness first:
// docs/os.md says why), except by connect, which restores it at once.
//
// Deadlines and timeouts: a hooked wait is bounded by the greenlet's
// current deadline (framework/deadline.h); past it the call fails with
// errno ETIMEDOUT (poll and select return -1 with ETIMEDOUT, so no caller
// spins on a 0). Exceptions never cross a hooked call, since the caller may
// be C code: a scoped Timeout firing or a kill (GreenletExit) during the
// wait makes the call fail with ETIMEDOUT (Timeout) or ECANCELED (any
// other exception) — the sleep family returns as if it had slept — and the
// exception is kept pending for the greenlet. Every later hooked call of
// that greenlet that would wait then fails the same way at once, so the
// library unwinds quickly, and RethrowPending() (or Cooperative()) raises
// the exception in C++ once control is back.
//
// Thread affinity: Enable/Disable from any thread (process-wide);
// ScopedDisable affects its own thread. Nothing here blocks.
#ifndef EVERGREEN_FRAMEWORK_HOOKS_H_
#define EVERGREEN_FRAMEWORK_HOOKS_H_

#include <netdb.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include <type_traits>

namespace evergreen::hooks {

// Bit flags; combine with |.
enum Subsystem : unsigned {
  kSocket = 1u << 0,
  kPipe = 1u << 1,
  kSelect = 1u << 2,
  kTime = 1u << 3,
  kDns = 1u << 4,
  kAll = kSocket | kPipe | kSelect | kTime | kDns,
};

// Turns the given subsystems on (or off) for the whole process.
void Enable(unsigned subsystems = kAll);
void Disable(unsigned subsystems = kAll);
// The subsystems enabled process-wide.
unsigned Enabled();

// True when calls the dynamic linker resolves (a shared library's call to
// recv, say) reach this library's definitions rather than libc's: the
// proof that interposition took effect in this binary. Probes with an
// invalid fd; never blocks.
bool Linked();

// True when a call of `subsystem` made here and now would be cooperative
// (given a blocking fd for fd calls): enabled, not disabled on this
// thread, on a hub thread, in a greenlet.
bool Active(Subsystem subsystem);

// While alive, the given subsystems pass straight to libc on the calling
// thread (gevent's "this block must really block"). Nests.
class ScopedDisable {
 public:
  explicit ScopedDisable(unsigned subsystems = kAll);
  ~ScopedDisable();
  ScopedDisable(const ScopedDisable&) = delete;
  ScopedDisable& operator=(const ScopedDisable&) = delete;

 private:
  unsigned saved_;
};

// Hooked calls on this thread that waited on the hub so far (each wait
// counts once): tests and the curious use it to see that a library's
// calls really came through the hooks.
unsigned long long CooperativeWaits();

// Rethrows and clears the calling greenlet's pending exception (see the
// overview); does nothing when there is none.
void RethrowPending();

// Runs `fn` (typically a call into a blocking C library) and then
// RethrowPending(): a Timeout or kill that interrupted a hooked call inside
// `fn` surfaces as the exception once `fn` has unwound by its errors.
template <typename F>
auto Cooperative(F&& fn) -> std::invoke_result_t<F&> {
  if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
    fn();
    RethrowPending();
  } else {
    auto result = fn();
    RethrowPending();
    return result;
  }
}

// libc's own functions, never hooked (what the hooks themselves call).
namespace original {
ssize_t read(int fd, void* buf, size_t count);
ssize_t write(int fd, const void* buf, size_t count);
ssize_t recv(int fd, void* buf, size_t len, int flags);
ssize_t send(int fd, const void* buf, size_t len, int flags);
int connect(int fd, const struct sockaddr* addr, socklen_t len);
int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags);
int poll(struct pollfd* fds, nfds_t nfds, int timeout_ms);
int select(int nfds, fd_set* readfds, fd_set* writefds, fd_set* exceptfds,
           struct timeval* timeout);
int nanosleep(const struct timespec* request, struct timespec* remaining);
unsigned int sleep(unsigned int seconds);
int getaddrinfo(const char* node, const char* service,
                const struct addrinfo* hints, struct addrinfo** result);
}  // namespace original

}  // namespace evergreen::hooks

#endif  // EVERGREEN_FRAMEWORK_HOOKS_H_
