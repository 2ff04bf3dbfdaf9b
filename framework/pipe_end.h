// PipeEnd: one end of a pipe, read or written cooperatively — how a
// Subprocess's stdin, stdout and stderr are exposed for streaming.
//
//   evergreen::PipeEnd* out = child->stdout_pipe();
//   char buf[4096];
//   absl::StatusOr<size_t> n = out->Read(buf, sizeof buf, absl::Seconds(5));
//   // *n == 0: end of file (every writer closed its end)
//
// The fd is owned, close-on-exec and non-blocking; waits go through an
// IoWatcher (so the current deadline applies). Writing to a pipe whose
// reader is gone fails with FailedPrecondition ("Broken pipe") and never
// raises SIGPIPE.
//
// Thread affinity: the hub thread that created it. One reader and one
// writer greenlet at a time (a second concurrent one is refused with
// FailedPrecondition, as IoWatcher).
#ifndef EVERGREEN_FRAMEWORK_PIPE_END_H_
#define EVERGREEN_FRAMEWORK_PIPE_END_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framework/io_watcher.h"

namespace evergreen {

class PipeEnd {
 public:
  // Takes ownership of `fd` and makes it non-blocking and close-on-exec.
  // `name` appears in error messages ("stdout of 'cat'").
  PipeEnd(int fd, std::string name);
  ~PipeEnd();  // Closes.
  PipeEnd(const PipeEnd&) = delete;
  PipeEnd& operator=(const PipeEnd&) = delete;

  // Blocks until some bytes are readable (what wakes it: the writer
  // writing or closing), then reads at most `size`. Returns the count, 0 at
  // end of file. Errors: DeadlineExceeded on timeout; FailedPrecondition
  // when closed; the read(2) error.
  absl::StatusOr<std::size_t> Read(char* buffer, std::size_t size,
                                   absl::Duration timeout =
                                       absl::InfiniteDuration());
  // Reads until end of file, appending to `*out` (what it read before an
  // error stays there). Errors as Read.
  absl::Status ReadAll(std::string* out,
                       absl::Duration timeout = absl::InfiniteDuration());

  // Blocks until all of `data` is written (what wakes it: the reader
  // draining the pipe). Errors: DeadlineExceeded on timeout (part may have
  // been written); FailedPrecondition "Broken pipe" when no reader is left
  // or when closed.
  absl::Status WriteAll(absl::string_view data,
                        absl::Duration timeout = absl::InfiniteDuration());

  // Closes the fd (a writer's reader then sees end of file); greenlets
  // waiting on it are woken with Cancelled. Idempotent.
  void Close();

  bool closed() const { return fd_ < 0; }
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

 private:
  int fd_;
  std::string name_;
  std::unique_ptr<IoWatcher> io_;
};

namespace internal {

// write(2) that reports EPIPE instead of raising SIGPIPE: the signal is
// blocked for the call and a SIGPIPE it caused is consumed. Returns as
// write(2) (errno set on -1).
long WriteWithoutSigpipe(int fd, const void* data, std::size_t size);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_PIPE_END_H_
