// Subprocess::Communicate: stdin, stdout and stderr served together by one
// greenlet, waiting on whichever of them is ready.
#include <errno.h>
#include <ev.h>
#include <unistd.h>

#include <array>
#include <cstddef>

#include "absl/strings/str_cat.h"
#include "framework/internal/hub_access.h"
#include "framework/subprocess.h"
#include "framework/waiter.h"

namespace evergreen {
namespace {

// One Waiter woken by whichever of several fds becomes ready first. The
// destructor stops every watcher, however the wait ended.
class ReadyAny {
 public:
  explicit ReadyAny(Waiter* waiter) : waiter_(waiter) {}
  ~ReadyAny() {
    for (std::size_t i = 0; i < count_; ++i) {
      ev_io_stop(waiter_->hub()->loop(), &watches_[i].io);
    }
    internal::HubAccess::CountWatcher(waiter_->hub(),
                                      -static_cast<int>(count_));
  }
  ReadyAny(const ReadyAny&) = delete;
  ReadyAny& operator=(const ReadyAny&) = delete;

  void Add(int fd, int events) {
    Watch& watch = watches_[count_++];
    watch.waiter = waiter_;
    ev_io_init(&watch.io, &ReadyAny::OnReady, fd, events);
    ev_io_start(waiter_->hub()->loop(), &watch.io);
    internal::HubAccess::CountWatcher(waiter_->hub(), 1);
  }
  bool empty() const { return count_ == 0; }

 private:
  struct Watch {
    ev_io io;  // first: the callback casts back
    Waiter* waiter;
  };
  static void OnReady(struct ev_loop*, ev_io* io, int) {
    reinterpret_cast<Watch*>(io)->waiter->Wake();
  }

  Waiter* waiter_;
  std::array<Watch, 3> watches_;
  std::size_t count_ = 0;
};

// Reads what is there now. Returns false at end of file or on an error
// (stored in *error), true when the pipe is merely drained for now.
bool ReadAvailable(PipeEnd* pipe, std::string* out, absl::Status* error) {
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(pipe->fd(), buffer, sizeof buffer);
    if (n > 0) {
      out->append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;
    *error = absl::ErrnoToStatus(errno, absl::StrCat("read ", pipe->name()));
    return false;
  }
}

}  // namespace

absl::StatusOr<Subprocess::Output> Subprocess::Communicate(
    absl::string_view input, absl::Duration timeout) {
  Hub::Current()->CheckThread("Subprocess::Communicate");
  PipeEnd* in = stdin_pipe();
  if (!input.empty() && (in == nullptr || in->closed())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Communicate: input given but stdin of ", Describe(),
        " is not an open pipe"));
  }
  const absl::Time deadline = timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : absl::Now() + timeout;
  if (in != nullptr && input.empty()) in->Close();
  Output output;
  PipeEnd* outs[2] = {stdout_pipe(), stderr_pipe()};
  std::string* sinks[2] = {&output.out, &output.err};
  bool open[2] = {outs[0] != nullptr && !outs[0]->closed(),
                  outs[1] != nullptr && !outs[1]->closed()};
  for (;;) {
    if (in != nullptr && !in->closed()) {
      while (!input.empty()) {
        const long n =
            internal::WriteWithoutSigpipe(in->fd(), input.data(), input.size());
        if (n >= 0) {
          input.remove_prefix(static_cast<std::size_t>(n));
        } else if (errno == EAGAIN) {
          break;
        } else if (errno != EINTR) {
          // EPIPE: the child stopped reading; what it wrote still counts.
          input = {};
        }
      }
      if (input.empty()) in->Close();  // the child sees end of file
    }
    absl::Status error;
    for (int i = 0; i < 2; ++i) {
      if (open[i] && !ReadAvailable(outs[i], sinks[i], &error)) {
        open[i] = false;
        outs[i]->Close();
        if (!error.ok()) return error;
      }
    }
    const bool writing = in != nullptr && !in->closed();
    if (!writing && !open[0] && !open[1]) return output;
    Waiter waiter;
    ReadyAny ready(&waiter);
    if (writing) ready.Add(in->fd(), EV_WRITE);
    for (int i = 0; i < 2; ++i) {
      if (open[i]) ready.Add(outs[i]->fd(), EV_READ);
    }
    const absl::Duration remaining = deadline == absl::InfiniteFuture()
                                         ? absl::InfiniteDuration()
                                         : deadline - absl::Now();
    if (!waiter.Wait(remaining)) {
      return absl::DeadlineExceededError(
          absl::StrCat("Communicate with ", Describe(), ": timed out after ",
                       absl::FormatDuration(timeout)));
    }
  }
}

}  // namespace evergreen
