#include "framework/hooks.h"

#include <dlfcn.h>
#include <errno.h>

#include "framework/internal/hook_core.h"

namespace evergreen::hooks {

void Enable(unsigned subsystems) {
  (void)internal::Libc();  // resolve now, not inside the first hooked call
  internal::enabled.fetch_or(subsystems & kAll, std::memory_order_relaxed);
}

void Disable(unsigned subsystems) {
  internal::enabled.fetch_and(~subsystems, std::memory_order_relaxed);
}

unsigned Enabled() { return internal::enabled.load(std::memory_order_relaxed); }

bool Linked() {
  using Recv = ssize_t (*)(int, void*, size_t, int);
  auto* global = reinterpret_cast<Recv>(dlsym(RTLD_DEFAULT, "recv"));
  if (global == nullptr) return false;
  const int saved_errno = errno;
  const unsigned long long before = internal::hook_entries;
  (void)global(-1, nullptr, 0, 0);  // EBADF, whoever answers
  errno = saved_errno;
  return internal::hook_entries != before;
}

bool Active(Subsystem subsystem) {
  const unsigned long long entries = internal::hook_entries;
  const bool active = internal::CooperativeHub(subsystem) != nullptr;
  internal::hook_entries = entries;  // not a call into a hook
  return active;
}

ScopedDisable::ScopedDisable(unsigned subsystems)
    : saved_(internal::disabled_on_thread) {
  internal::disabled_on_thread |= subsystems;
}

ScopedDisable::~ScopedDisable() { internal::disabled_on_thread = saved_; }

unsigned long long CooperativeWaits() { return internal::cooperative_waits; }

void RethrowPending() { internal::RethrowPendingError(); }

namespace original {

ssize_t read(int fd, void* buf, size_t count) {
  return internal::Libc().read(fd, buf, count);
}
ssize_t write(int fd, const void* buf, size_t count) {
  return internal::Libc().write(fd, buf, count);
}
ssize_t recv(int fd, void* buf, size_t len, int flags) {
  return internal::Libc().recv(fd, buf, len, flags);
}
ssize_t send(int fd, const void* buf, size_t len, int flags) {
  return internal::Libc().send(fd, buf, len, flags);
}
int connect(int fd, const struct sockaddr* addr, socklen_t len) {
  return internal::Libc().connect(fd, addr, len);
}
int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  return internal::Libc().accept4(fd, addr, len, flags);
}
int poll(struct pollfd* fds, nfds_t nfds, int timeout_ms) {
  return internal::Libc().poll(fds, nfds, timeout_ms);
}
int select(int nfds, fd_set* readfds, fd_set* writefds, fd_set* exceptfds,
           struct timeval* timeout) {
  return internal::Libc().select(nfds, readfds, writefds, exceptfds, timeout);
}
int nanosleep(const struct timespec* request, struct timespec* remaining) {
  return internal::Libc().nanosleep(request, remaining);
}
unsigned int sleep(unsigned int seconds) {
  return internal::Libc().sleep(seconds);
}
int getaddrinfo(const char* node, const char* service,
                const struct addrinfo* hints, struct addrinfo** result) {
  return internal::Libc().getaddrinfo(node, service, hints, result);
}

}  // namespace original
}  // namespace evergreen::hooks
