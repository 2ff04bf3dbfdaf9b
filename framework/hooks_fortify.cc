// The fortified twins of the hooked calls. Code built with
// _FORTIFY_SOURCE (Debian builds its packages so) calls __recv_chk and the
// like when the compiler cannot prove the buffer large enough; libc's
// versions check and then call its internal __recv, which no hook sees.
// These check the same way and then call the hooked function.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

extern "C" {

[[noreturn]] void __chk_fail(void);  // libc's: "buffer overflow detected"

ssize_t __read_chk(int fd, void* buf, size_t count, size_t buflen) {
  if (count > buflen) __chk_fail();
  return read(fd, buf, count);
}

ssize_t __recv_chk(int fd, void* buf, size_t len, size_t buflen, int flags) {
  if (len > buflen) __chk_fail();
  return recv(fd, buf, len, flags);
}

ssize_t __recvfrom_chk(int fd, void* buf, size_t len, size_t buflen, int flags,
                       struct sockaddr* from, socklen_t* from_len) {
  if (len > buflen) __chk_fail();
  return recvfrom(fd, buf, len, flags, from, from_len);
}

int __poll_chk(struct pollfd* fds, nfds_t nfds, int timeout, size_t fdslen) {
  if (fdslen / sizeof *fds < nfds) __chk_fail();
  return poll(fds, nfds, timeout);
}

int __ppoll_chk(struct pollfd* fds, nfds_t nfds, const struct timespec* timeout,
                const sigset_t* sigmask, size_t fdslen) {
  if (fdslen / sizeof *fds < nfds) __chk_fail();
  return ppoll(fds, nfds, timeout, sigmask);
}

}  // extern "C"
