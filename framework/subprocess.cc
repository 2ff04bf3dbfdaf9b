#include "framework/subprocess.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/internal/spawn.h"

namespace evergreen {

std::string ExitStatus::ToString() const {
  if (signaled()) {
    return absl::StrCat("killed by signal ", signal, " (", strsignal(signal),
                        ")");
  }
  return absl::StrCat("exit code ", exit_code);
}

ExitStatus ExitStatus::FromWaitStatus(int wait_status) {
  ExitStatus status;
  if (WIFSIGNALED(wait_status)) {
    status.signal = WTERMSIG(wait_status);
    status.exit_code = -status.signal;
  } else {
    status.exit_code = WEXITSTATUS(wait_status);
  }
  return status;
}

namespace {

constexpr const char* kStreamNames[3] = {"stdin", "stdout", "stderr"};

// Closes the fds it holds unless released: the error paths of Start().
struct FdCloser {
  std::vector<int> fds;
  ~FdCloser() {
    for (int fd : fds) ::close(fd);
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    std::vector<std::string> argv, SubprocessOptions options) {
  Hub::Current()->CheckThread("Subprocess::Start");
  internal::SpawnRequest request;
  request.argv = std::move(argv);
  request.env = std::move(options.env);
  request.cwd = std::move(options.cwd);
  request.new_process_group = options.new_process_group;
  request.close_other_fds = options.close_fds;
  if (options.stdin_mode == Stdio::kStdout ||
      options.stdout_mode == Stdio::kStdout) {
    return absl::InvalidArgumentError(
        "Stdio::kStdout is only valid for stderr");
  }
  const Stdio modes[3] = {options.stdin_mode, options.stdout_mode,
                          options.stderr_mode};
  int parent_ends[3] = {-1, -1, -1};
  FdCloser child_ends;   // closed here once the child has its copies
  FdCloser on_failure;   // the parent's ends, until they are owned
  for (int i = 0; i < 3; ++i) {
    switch (modes[i]) {
      case Stdio::kInherit:
        break;
      case Stdio::kDevNull:
        request.stdio[i] = internal::SpawnRequest::kDevNull;
        break;
      case Stdio::kStdout:
        request.stdio[i] = internal::SpawnRequest::kSameAsStdout;
        break;
      case Stdio::kPipe: {
        absl::StatusOr<std::pair<int, int>> pipe = internal::MakePipe();
        if (!pipe.ok()) return pipe.status();
        const bool child_reads = i == 0;
        const int child = child_reads ? pipe->first : pipe->second;
        parent_ends[i] = child_reads ? pipe->second : pipe->first;
        child_ends.fds.push_back(child);
        on_failure.fds.push_back(parent_ends[i]);
        request.stdio[i] = child;
        break;
      }
    }
  }
  absl::StatusOr<pid_t> pid = internal::Spawn(request);
  if (!pid.ok()) return pid.status();
  on_failure.fds.clear();
  std::unique_ptr<Subprocess> process(new Subprocess(
      std::move(request.argv), *pid, options.new_process_group));
  for (int i = 0; i < 3; ++i) {
    if (parent_ends[i] < 0) continue;
    process->pipes_[i] = std::make_unique<PipeEnd>(
        parent_ends[i], absl::StrCat(kStreamNames[i], " of ",
                                     process->Describe()));
  }
  return process;
}

Subprocess::Subprocess(std::vector<std::string> argv, pid_t pid,
                       bool process_group)
    : argv_(std::move(argv)),
      pid_(pid),
      process_group_(process_group),
      exit_(pid) {}

Subprocess::~Subprocess() = default;

std::string Subprocess::Describe() const {
  return absl::StrCat("'", absl::StrJoin(argv_, " "), "' (pid ", pid_, ")");
}

absl::StatusOr<ExitStatus> Subprocess::Wait(absl::Duration timeout) {
  if (status_.has_value()) return *status_;
  absl::StatusOr<int> wait_status = exit_.Wait(timeout);
  if (!wait_status.ok()) {
    return absl::Status(wait_status.status().code(),
                        absl::StrCat(Describe(), ": ",
                                     wait_status.status().message()));
  }
  status_ = ExitStatus::FromWaitStatus(*wait_status);
  return *status_;
}

absl::StatusOr<std::optional<ExitStatus>> Subprocess::Poll() {
  if (status_.has_value()) return status_;
  absl::StatusOr<std::optional<int>> now = exit_.Poll();
  if (!now.ok()) return now.status();
  if (now->has_value()) status_ = ExitStatus::FromWaitStatus(**now);
  return status_;
}

absl::Status Subprocess::SendSignal(int signal, bool process_group) {
  if (process_group) {
    if (!process_group_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot signal the process group of ", Describe(),
          ": it was not started with new_process_group"));
    }
    // The group outlives its leader while members remain, and its id is
    // not reused meanwhile; ESRCH means nobody is left.
    if (::kill(-pid_, signal) != 0 && errno != ESRCH) {
      return absl::ErrnoToStatus(
          errno, absl::StrCat("kill process group of ", Describe()));
    }
    return absl::OkStatus();
  }
  if (status_.has_value()) return absl::OkStatus();
  int result;
#ifdef SYS_pidfd_send_signal
  if (exit_.pidfd() >= 0) {
    // Race-free: the pidfd names this very process even if reaped.
    result = static_cast<int>(
        syscall(SYS_pidfd_send_signal, exit_.pidfd(), signal, nullptr, 0));
  } else {
    result = ::kill(pid_, signal);
  }
#else
  result = ::kill(pid_, signal);
#endif
  if (result != 0 && errno != ESRCH) {
    return absl::ErrnoToStatus(errno, absl::StrCat("kill ", Describe()));
  }
  return absl::OkStatus();
}

absl::Status Subprocess::Terminate(bool process_group) {
  return SendSignal(SIGTERM, process_group);
}

absl::Status Subprocess::Kill(bool process_group) {
  return SendSignal(SIGKILL, process_group);
}

}  // namespace evergreen
