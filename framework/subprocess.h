// Subprocess: a child process whose pipes and exit are waited on
// cooperatively (gevent.subprocess).
//
//   SubprocessOptions options;
//   options.stdin_mode = Stdio::kPipe;
//   options.stdout_mode = Stdio::kPipe;
//   absl::StatusOr<std::unique_ptr<Subprocess>> child =
//       Subprocess::Start({"sort"}, options);
//   if (!child.ok()) return child.status();   // "exec sort: No such file..."
//   absl::StatusOr<Subprocess::Output> out =
//       (*child)->Communicate("b\na\n", absl::Seconds(5));
//   absl::StatusOr<ExitStatus> status = (*child)->Wait();
//
// For the common case see Run() and CheckOutput() (framework/run_process.h).
//
// Every fd made here is close-on-exec, and by default the child keeps only
// fds 0, 1 and 2. The child starts with default signal dispositions and an
// empty signal mask. A child is never left a zombie: one still running when
// its Subprocess is destroyed keeps running and is reaped in the
// background when it exits.
//
// Waiting for exit uses the child's pidfd (see internal/child_exit.h), so
// no SIGCHLD handler is installed. Something else in the process that
// reaps all children (SIGCHLD set to SIG_IGN, waitpid(-1)) makes Wait()
// fail with Internal.
//
// Blocking calls wait through the hub (the thread never blocks) and obey
// the greenlet's current deadline as well as their own timeout.
// Thread affinity: the hub thread that started it.
#ifndef EVERGREEN_FRAMEWORK_SUBPROCESS_H_
#define EVERGREEN_FRAMEWORK_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framework/internal/child_exit.h"
#include "framework/pipe_end.h"

namespace evergreen {

// What one of the child's fds 0, 1, 2 becomes.
enum class Stdio {
  kInherit,  // the parent's own fd
  kPipe,     // a pipe to this process (stdin_pipe() / stdout_pipe() / ...)
  kDevNull,  // /dev/null
  kStdout,   // stderr only: wherever stdout goes (2>&1)
};

struct SubprocessOptions {
  // "NAME=value" entries; nullopt: this process's environment. PATH lookup
  // of argv[0] uses this process's PATH either way.
  std::optional<std::vector<std::string>> env;
  // The child's working directory; empty: ours.
  std::string cwd;
  Stdio stdin_mode = Stdio::kInherit;
  Stdio stdout_mode = Stdio::kInherit;
  Stdio stderr_mode = Stdio::kInherit;
  // The child leads a new process group (its pid is the group id), so that
  // SendSignal(..., /*process_group=*/true) reaches its own children too.
  bool new_process_group = false;
  // Close every fd above 2 in the child, even ones not marked close-on-exec
  // by whoever opened them.
  bool close_fds = true;
};

// How a child ended: an exit code, or the signal that killed it.
struct ExitStatus {
  // The exit code; -N when killed by signal N (as Python's returncode).
  int exit_code = 0;
  // The signal that killed it, or 0.
  int signal = 0;

  bool signaled() const { return signal != 0; }
  bool success() const { return signal == 0 && exit_code == 0; }
  // "exit code 3" or "killed by signal 9 (Killed)".
  std::string ToString() const;
  static ExitStatus FromWaitStatus(int wait_status);
};

class Subprocess {
 public:
  // Starts `argv` (argv[0] is looked up in PATH unless it contains a
  // slash). Never blocks on the child. Errors: InvalidArgument for an empty
  // argv; "exec <argv[0]>: <reason>" with the code of the exec error
  // (NotFound "exec nosuch: No such file or directory", PermissionDenied);
  // "cwd <dir>: ..." for a bad working directory; pipe2 failures.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      std::vector<std::string> argv, SubprocessOptions options = {});

  // Closes the pipes. A child still running keeps running (kill it first
  // if that is not wanted) and is reaped when it exits.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return argv_; }

  // The parent's ends of the pipes; nullptr for a stream not kPipe.
  PipeEnd* stdin_pipe() const { return pipes_[0].get(); }
  PipeEnd* stdout_pipe() const { return pipes_[1].get(); }
  PipeEnd* stderr_pipe() const { return pipes_[2].get(); }

  // Blocks until the child exits (what wakes it: its pidfd becoming
  // readable) and reaps it; later calls return the same status at once.
  // Errors: DeadlineExceeded on timeout (the child keeps running);
  // Internal when someone else reaped it.
  absl::StatusOr<ExitStatus> Wait(
      absl::Duration timeout = absl::InfiniteDuration());
  // Non-blocking twin of Wait(): nullopt while the child runs.
  absl::StatusOr<std::optional<ExitStatus>> Poll();

  // Sends `signal` to the child, or to its whole process group (for a
  // child started with new_process_group). A child already reaped is not
  // signalled (its pid may have been reused) and this returns OK.
  // Errors: the kill(2) error.
  absl::Status SendSignal(int signal, bool process_group = false);
  absl::Status Terminate(bool process_group = false);  // SIGTERM
  absl::Status Kill(bool process_group = false);       // SIGKILL

  struct Output {
    std::string out;  // what the child wrote to stdout (if kPipe)
    std::string err;  // and to stderr (if kPipe)
  };
  // Writes `input` to stdin (then closes it), and reads stdout and stderr
  // to end of file, all at once in the calling greenlet, so that large
  // data both ways never deadlocks. Does not wait for exit (call Wait()).
  // Blocks until both outputs are closed (what wakes it: the pipes
  // becoming ready). Errors: DeadlineExceeded on timeout (the child keeps
  // running; what was read so far is lost); FailedPrecondition when
  // `input` is given but stdin is not a pipe; read errors. A child that
  // exits without reading all its input is not an error.
  absl::StatusOr<Output> Communicate(
      absl::string_view input = {},
      absl::Duration timeout = absl::InfiniteDuration());

  // "'argv[0] argv[1] ...' (pid N)", for messages.
  std::string Describe() const;

 private:
  Subprocess(std::vector<std::string> argv, pid_t pid, bool process_group);

  std::vector<std::string> argv_;
  pid_t pid_;
  bool process_group_;
  internal::ChildExit exit_;
  std::optional<ExitStatus> status_;
  std::unique_ptr<PipeEnd> pipes_[3];
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_SUBPROCESS_H_
