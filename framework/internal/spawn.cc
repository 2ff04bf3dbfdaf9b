#include "framework/internal/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace evergreen::internal {
namespace {

// Owns the posix_spawn attribute objects.
struct SpawnAttributes {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnAttributes() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnAttributes() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

int AboveStdio(int fd) {
  if (fd > STDERR_FILENO) return fd;
  const int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  ::close(fd);
  return moved;
}

}  // namespace

absl::StatusOr<std::pair<int, int>> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  fds[0] = AboveStdio(fds[0]);
  fds[1] = AboveStdio(fds[1]);
  if (fds[0] < 0 || fds[1] < 0) {
    const int error = errno;
    if (fds[0] >= 0) ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
    return absl::ErrnoToStatus(error, "pipe2");
  }
  return std::make_pair(fds[0], fds[1]);
}

absl::StatusOr<pid_t> Spawn(const SpawnRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return absl::InvalidArgumentError("spawn: empty argv");
  }
  if (!request.cwd.empty() && access(request.cwd.c_str(), X_OK) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cwd ", request.cwd));
  }
  SpawnAttributes spawn;
  // The child starts with no blocked and no caught signals, whatever the
  // parent (its hubs' signal watchers, a blocked SIGPIPE) had set.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  posix_spawnattr_setsigmask(&spawn.attr, &none);
  posix_spawnattr_setsigdefault(&spawn.attr, &all);
  if (request.new_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&spawn.attr, 0);
  }
  posix_spawnattr_setflags(&spawn.attr, flags);

  static constexpr int kOpenFlags[3] = {O_RDONLY, O_WRONLY, O_WRONLY};
  for (int target = 0; target < 3; ++target) {
    const int source = request.stdio[target];
    if (source == SpawnRequest::kKeep) continue;
    if (source == SpawnRequest::kDevNull) {
      posix_spawn_file_actions_addopen(&spawn.actions, target, "/dev/null",
                                       kOpenFlags[target], 0);
    } else if (source == SpawnRequest::kSameAsStdout) {
      posix_spawn_file_actions_adddup2(&spawn.actions, STDOUT_FILENO, target);
    } else {
      posix_spawn_file_actions_adddup2(&spawn.actions, source, target);
    }
  }
  if (request.close_other_fds) {
    posix_spawn_file_actions_addclosefrom_np(&spawn.actions,
                                             STDERR_FILENO + 1);
  }
  if (!request.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&spawn.actions, request.cwd.c_str());
  }
  std::vector<char*> argv = CStrings(request.argv);
  std::vector<char*> env;
  if (request.env.has_value()) env = CStrings(*request.env);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, argv[0], &spawn.actions, &spawn.attr,
                                 argv.data(),
                                 request.env.has_value() ? env.data() : environ);
  if (error != 0) {
    return absl::ErrnoToStatus(error, absl::StrCat("exec ", request.argv[0]));
  }
  return pid;
}

}  // namespace evergreen::internal
