// The fd calls of framework/hooks.h (kSocket, kPipe): libc's names defined
// here, so that the dynamic linker binds every caller in the process to
// them. Each one is libc's call unless CooperativeHub says otherwise.
//
// Sockets wait with MSG_DONTWAIT rather than by switching the fd to
// non-blocking: an fd's status flags belong to the open file description,
// shared with other threads and with children that inherited it, which
// must not see a mode change. Other fds (pipes, terminals) are polled for
// readiness first, then called; writes go in chunks of PIPE_BUF, which a
// writable pipe always takes without blocking.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>

#include "absl/time/clock.h"
#include "framework/internal/hook_core.h"

namespace evergreen::hooks::internal {
namespace {

enum class FdKind { kOther, kSocket, kPollable };

FdKind Classify(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return FdKind::kOther;
  if (S_ISSOCK(st.st_mode)) return FdKind::kSocket;
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) return FdKind::kPollable;
  return FdKind::kOther;  // regular files, directories: never "not ready"
}

// A socket transfer with blocking semantics, made of MSG_DONTWAIT calls:
// `call(done, flags)` moves bytes from offset `done`. A read returns on the
// first bytes (all of `len` with MSG_WAITALL); a write with `all` goes on
// until `len` bytes are through (a blocking stream socket's send).
// `known_blocking` skips the mode check.
template <typename Call>
ssize_t SocketTransfer(int fd, int flags, bool write, std::size_t len, bool all,
                       bool known_blocking, Call call) {
  std::size_t done = 0;
  absl::Time give_up = absl::InfiniteFuture();
  bool checked = known_blocking;
  if (checked) {
    const absl::Duration own = SocketTimeout(fd, write);
    if (own != absl::InfiniteDuration()) give_up = absl::Now() + own;
  }
  for (;;) {
    const ssize_t n = call(done, flags | MSG_DONTWAIT);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
      // A read's 0 is the end of the stream: what came so far is all.
      if (!all || done >= len || n == 0) {
        return all ? static_cast<ssize_t>(done) : n;
      }
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return done > 0 ? static_cast<ssize_t>(done) : -1;
    }
    if (!checked) {
      if (!IsBlocking(fd)) {
        errno = EAGAIN;
        return done > 0 ? static_cast<ssize_t>(done) : -1;
      }
      checked = true;
      const absl::Duration own = SocketTimeout(fd, write);
      if (own != absl::InfiniteDuration()) give_up = absl::Now() + own;
    }
    if (int code = WaitFd(fd, write, give_up - absl::Now())) {
      errno = code;
      return done > 0 ? static_cast<ssize_t>(done) : -1;
    }
  }
}

template <typename Call>
ssize_t Socket(int fd, int flags, bool write, std::size_t len, bool all,
               Call call) {
  if (CooperativeHub(kSocket) == nullptr || (flags & MSG_DONTWAIT) != 0) {
    return call(0, flags);
  }
  return SocketTransfer(fd, flags, write, len, all, false, call);
}

// A blocking non-socket fd: waits for readiness, then calls.
template <typename Call>
ssize_t WhenReady(int fd, bool write, Call call) {
  if (int code = AwaitReady(fd, write, absl::InfiniteFuture())) {
    return Fail(code);
  }
  return call();
}

// readv and writev share one body; `kWrite` picks the direction. As
// sendmsg, a short count is possible; on a pipe, a vector longer than the
// room left may still block once writable (docs/os.md).
template <bool kWrite>
ssize_t VectorIo(int fd, const struct iovec* iov, int iovcnt) {
  auto libc = [&] {
    return kWrite ? Libc().writev(fd, iov, iovcnt)
                  : Libc().readv(fd, iov, iovcnt);
  };
  if (CooperativeHub(hooks::kSocket | hooks::kPipe) == nullptr ||
      !IsBlocking(fd)) {
    return libc();
  }
  switch (Classify(fd)) {
    case FdKind::kSocket: {
      if (!On(hooks::kSocket)) break;
      struct msghdr msg {};
      msg.msg_iov = const_cast<struct iovec*>(iov);
      msg.msg_iovlen = static_cast<size_t>(iovcnt);
      return SocketTransfer(fd, 0, kWrite, 0, false, true,
                            [&](size_t, int f) {
                              return kWrite ? Libc().sendmsg(fd, &msg, f)
                                            : Libc().recvmsg(fd, &msg, f);
                            });
    }
    case FdKind::kPollable:
      if (!On(hooks::kPipe)) break;
      return WhenReady(fd, kWrite, libc);
    case FdKind::kOther:
      break;
  }
  return libc();
}

}  // namespace
}  // namespace evergreen::hooks::internal

using evergreen::hooks::internal::AwaitReady;
using evergreen::hooks::internal::Classify;
using evergreen::hooks::internal::CooperativeHub;
using evergreen::hooks::internal::Fail;
using evergreen::hooks::internal::FdKind;
using evergreen::hooks::internal::IsBlocking;
using evergreen::hooks::internal::Libc;
using evergreen::hooks::internal::On;
using evergreen::hooks::internal::Socket;
using evergreen::hooks::internal::SocketTimeout;
using evergreen::hooks::internal::SocketTransfer;
using evergreen::hooks::internal::VectorIo;
using evergreen::hooks::internal::WhenReady;
namespace hooks = evergreen::hooks;

extern "C" {

ssize_t recv(int fd, void* buf, size_t len, int flags) {
  const bool all = (flags & MSG_WAITALL) != 0;
  return Socket(fd, flags, false, len, all, [&](size_t done, int f) {
    return Libc().recv(fd, static_cast<char*>(buf) + done, len - done, f);
  });
}

ssize_t recvfrom(int fd, void* buf, size_t len, int flags,
                 struct sockaddr* from, socklen_t* from_len) {
  const bool all = (flags & MSG_WAITALL) != 0;
  return Socket(fd, flags, false, len, all, [&](size_t done, int f) {
    return Libc().recvfrom(fd, static_cast<char*>(buf) + done, len - done, f,
                           from, from_len);
  });
}

ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
  return Socket(fd, flags, false, 0, false,
                [&](size_t, int f) { return Libc().recvmsg(fd, msg, f); });
}

ssize_t send(int fd, const void* buf, size_t len, int flags) {
  return Socket(fd, flags, true, len, true, [&](size_t done, int f) {
    return Libc().send(fd, static_cast<const char*>(buf) + done, len - done, f);
  });
}

ssize_t sendto(int fd, const void* buf, size_t len, int flags,
               const struct sockaddr* to, socklen_t to_len) {
  return Socket(fd, flags, true, len, true, [&](size_t done, int f) {
    return Libc().sendto(fd, static_cast<const char*>(buf) + done, len - done,
                         f, to, to_len);
  });
}

// A short count is possible here (as after a signal): resuming a vector
// part-way would mean rewriting the caller's iovecs.
ssize_t sendmsg(int fd, const struct msghdr* msg, int flags) {
  return Socket(fd, flags, true, 0, false,
                [&](size_t, int f) { return Libc().sendmsg(fd, msg, f); });
}

ssize_t read(int fd, void* buf, size_t count) {
  if (CooperativeHub(hooks::kSocket | hooks::kPipe) == nullptr ||
      !IsBlocking(fd)) {
    return Libc().read(fd, buf, count);
  }
  switch (Classify(fd)) {
    case FdKind::kSocket:
      if (!On(hooks::kSocket)) break;
      return SocketTransfer(
          fd, 0, false, count, false, true,
          [&](size_t, int f) { return Libc().recv(fd, buf, count, f); });
    case FdKind::kPollable:
      if (!On(hooks::kPipe)) break;
      return WhenReady(fd, false, [&] { return Libc().read(fd, buf, count); });
    case FdKind::kOther:
      break;
  }
  return Libc().read(fd, buf, count);
}

ssize_t write(int fd, const void* buf, size_t count) {
  if (CooperativeHub(hooks::kSocket | hooks::kPipe) == nullptr ||
      !IsBlocking(fd)) {
    return Libc().write(fd, buf, count);
  }
  const char* data = static_cast<const char*>(buf);
  switch (Classify(fd)) {
    case FdKind::kSocket:
      if (!On(hooks::kSocket)) break;
      return SocketTransfer(
          fd, 0, true, count, true, true, [&](size_t done, int f) {
            return Libc().send(fd, data + done, count - done, f);
          });
    case FdKind::kPollable: {
      if (!On(hooks::kPipe)) break;
      // PIPE_BUF at a time, each when the fd is writable: never blocks.
      size_t done = 0;
      do {
        const size_t chunk = std::min<size_t>(count - done, PIPE_BUF);
        const ssize_t n = WhenReady(
            fd, true, [&] { return Libc().write(fd, data + done, chunk); });
        if (n < 0) return done > 0 ? static_cast<ssize_t>(done) : -1;
        done += static_cast<size_t>(n);
      } while (done < count);
      return static_cast<ssize_t>(done);
    }
    case FdKind::kOther:
      break;
  }
  return Libc().write(fd, buf, count);
}

ssize_t readv(int fd, const struct iovec* iov, int iovcnt) {
  return VectorIo</*kWrite=*/false>(fd, iov, iovcnt);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  return VectorIo</*kWrite=*/true>(fd, iov, iovcnt);
}

int connect(int fd, const struct sockaddr* addr, socklen_t len) {
  const int flags =
      CooperativeHub(hooks::kSocket) != nullptr ? fcntl(fd, F_GETFL) : -1;
  if (flags < 0 || (flags & O_NONBLOCK) != 0 ||
      fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return Libc().connect(fd, addr, len);
  }
  // Non-blocking for the call only; the connection goes on regardless.
  const int result = Libc().connect(fd, addr, len);
  const int error = errno;
  (void)fcntl(fd, F_SETFL, flags);
  if (result == 0) return 0;
  if (error == EAGAIN) return Libc().connect(fd, addr, len);  // AF_UNIX full
  if (error != EINPROGRESS) return static_cast<int>(Fail(error));
  const absl::Duration own = SocketTimeout(fd, true);
  const absl::Time give_up = own == absl::InfiniteDuration()
                                 ? absl::InfiniteFuture()
                                 : absl::Now() + own;
  if (int code = AwaitReady(fd, true, give_up)) {
    // Linux's own SO_SNDTIMEO expiry leaves the connect in progress too.
    return static_cast<int>(Fail(code == EAGAIN ? EINPROGRESS : code));
  }
  int so_error = 0;
  socklen_t so_len = sizeof so_error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0) {
    return -1;
  }
  return so_error == 0 ? 0 : static_cast<int>(Fail(so_error));
}

int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  if (CooperativeHub(hooks::kSocket) == nullptr || !IsBlocking(fd)) {
    return Libc().accept4(fd, addr, len, flags);
  }
  const absl::Duration own = SocketTimeout(fd, false);
  const absl::Time give_up = own == absl::InfiniteDuration()
                                 ? absl::InfiniteFuture()
                                 : absl::Now() + own;
  if (int code = AwaitReady(fd, false, give_up)) {
    return static_cast<int>(Fail(code));
  }
  return Libc().accept4(fd, addr, len, flags);
}

int accept(int fd, struct sockaddr* addr, socklen_t* len) {
  if (CooperativeHub(hooks::kSocket) == nullptr || !IsBlocking(fd)) {
    return Libc().accept(fd, addr, len);
  }
  return accept4(fd, addr, len, 0);
}

}  // extern "C"
