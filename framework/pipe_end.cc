#include "framework/pipe_end.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/hub_stats.h"

namespace evergreen {
namespace internal {

long WriteWithoutSigpipe(int fd, const void* data, std::size_t size) {
  // The signal is per-thread while blocked: a SIGPIPE this write raises
  // stays pending for this thread, where sigtimedwait takes it back.
  sigset_t pipe_only, previous, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  sigpending(&pending);
  const bool already_pending = sigismember(&pending, SIGPIPE) == 1;
  const long n = ::write(fd, data, size);
  const int saved = errno;
  if (n < 0 && saved == EPIPE && !already_pending) {
    const struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = saved;
  return n;
}

}  // namespace internal

namespace {

absl::Status Closed(const std::string& name) {
  return absl::FailedPreconditionError(absl::StrCat(name, " is closed"));
}

absl::Duration Remaining(absl::Time deadline) {
  return deadline == absl::InfiniteFuture() ? absl::InfiniteDuration()
                                            : deadline - absl::Now();
}

}  // namespace

PipeEnd::PipeEnd(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
  fcntl(fd_, F_SETFD, fcntl(fd_, F_GETFD) | FD_CLOEXEC);
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  io_ = std::make_unique<IoWatcher>(fd_);
  if (fd_ >= 0) internal::CountOwnedFd(1);  // OpenEvergreenFds()
}

PipeEnd::~PipeEnd() { Close(); }

void PipeEnd::Close() {
  if (fd_ < 0) return;
  io_->Cancel(absl::CancelledError(absl::StrCat(name_, " was closed")));
  ::close(fd_);
  internal::CountOwnedFd(-1);
  fd_ = -1;
}

absl::StatusOr<std::size_t> PipeEnd::Read(char* buffer, std::size_t size,
                                          absl::Duration timeout) {
  const absl::Time deadline = timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : absl::Now() + timeout;
  for (;;) {
    if (fd_ < 0) return Closed(name_);
    const ssize_t n = ::read(fd_, buffer, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      return absl::ErrnoToStatus(errno, absl::StrCat("read ", name_));
    }
    absl::Status ready = io_->Wait(IoWatcher::kRead, Remaining(deadline));
    if (!ready.ok()) return ready;
  }
}

absl::Status PipeEnd::ReadAll(std::string* out, absl::Duration timeout) {
  const absl::Time deadline = timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : absl::Now() + timeout;
  char buffer[64 * 1024];
  for (;;) {
    absl::StatusOr<std::size_t> n =
        Read(buffer, sizeof buffer, Remaining(deadline));
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::OkStatus();
    out->append(buffer, *n);
  }
}

absl::Status PipeEnd::WriteAll(absl::string_view data, absl::Duration timeout) {
  const absl::Time deadline = timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : absl::Now() + timeout;
  while (!data.empty()) {
    if (fd_ < 0) return Closed(name_);
    const long n = internal::WriteWithoutSigpipe(fd_, data.data(), data.size());
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE) {
      return absl::FailedPreconditionError(
          absl::StrCat("write ", name_, ": Broken pipe"));
    }
    if (errno != EAGAIN) {
      return absl::ErrnoToStatus(errno, absl::StrCat("write ", name_));
    }
    absl::Status ready = io_->Wait(IoWatcher::kWrite, Remaining(deadline));
    if (!ready.ok()) return ready;
  }
  return absl::OkStatus();
}

}  // namespace evergreen
