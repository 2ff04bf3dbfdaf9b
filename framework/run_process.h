// Run and CheckOutput: start a command, feed it, collect its output, reap
// it — subprocess.run / check_output for greenlets.
//
//   absl::StatusOr<Completed> done = evergreen::Run({"ls", "-l", "/tmp"});
//   if (done.ok() && done->success()) Print(done->out);
//
//   RunOptions options;
//   options.input = "b\na\n";
//   options.timeout = absl::Seconds(2);
//   absl::StatusOr<std::string> sorted = evergreen::CheckOutput({"sort"},
//                                                               options);
//
// Blocks the calling greenlet (what wakes it: the child's pipes and exit);
// the timeout and the current deadline both apply. On timeout the child
// (its whole process group when started with new_process_group) is killed
// with SIGKILL and reaped before the DeadlineExceeded error is returned.
// If the calling greenlet is killed (or a scoped Timeout fires) meanwhile,
// the child is killed the same way and reaped in the background.
// Thread affinity: any hub thread.
#ifndef EVERGREEN_FRAMEWORK_RUN_PROCESS_H_
#define EVERGREEN_FRAMEWORK_RUN_PROCESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "framework/subprocess.h"

namespace evergreen {

struct RunOptions {
  // By default the child reads /dev/null and both outputs are captured.
  SubprocessOptions process = {.stdin_mode = Stdio::kDevNull,
                               .stdout_mode = Stdio::kPipe,
                               .stderr_mode = Stdio::kPipe};
  // When set, stdin is a pipe fed with this (process.stdin_mode ignored).
  std::optional<std::string> input;
  absl::Duration timeout = absl::InfiniteDuration();
};

// A finished run: how it ended, and what it printed (on streams that were
// kPipe; empty otherwise).
struct Completed : ExitStatus {
  std::string out;
  std::string err;
};

// Runs `argv` to completion. A non-zero exit or a death by signal is not an
// error here (see Completed and CheckOutput). Errors: as Subprocess::Start
// (NotFound "exec nosuch: No such file or directory"); DeadlineExceeded
// "... timed out after 200ms (killed)"; read errors.
absl::StatusOr<Completed> Run(std::vector<std::string> argv,
                              RunOptions options = {});

// Runs `argv` and returns its stdout, if it exited with code 0. Errors: as
// Run; Unknown "'false' failed: exit code 1: <stderr>" for any
// other exit (stderr, when captured, trimmed to its last 1 KiB).
absl::StatusOr<std::string> CheckOutput(std::vector<std::string> argv,
                                        RunOptions options = {});

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_RUN_PROCESS_H_
