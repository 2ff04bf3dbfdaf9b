// Starting a child process: posix_spawn with the file actions a Subprocess
// needs. glibc's posix_spawn clones with CLONE_VM | CLONE_VFORK (vfork
// speed, no page-table copy) and hands an exec failure back to the parent
// from the child, so a missing binary is an error here rather than an exit
// code of 127.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_SPAWN_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_SPAWN_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace evergreen::internal {

struct SpawnRequest {
  std::vector<std::string> argv;
  std::optional<std::vector<std::string>> env;  // "NAME=value"; nullopt: ours
  std::string cwd;                              // empty: ours
  // What fds 0, 1 and 2 of the child become: an fd of ours to dup2 from,
  // kKeep (inherit ours), kDevNull, or (stderr only) kSameAsStdout.
  static constexpr int kKeep = -1;
  static constexpr int kDevNull = -2;
  static constexpr int kSameAsStdout = -3;
  int stdio[3] = {kKeep, kKeep, kKeep};
  bool new_process_group = false;
  bool close_other_fds = true;
};

// Starts the child. Errors: InvalidArgument for an empty argv; the exec
// error as "exec <argv[0]>: <strerror>" (NotFound, PermissionDenied, ...);
// NotFound "cwd <dir>: ..." for a missing working directory.
absl::StatusOr<pid_t> Spawn(const SpawnRequest& request);

// pipe2 with both ends close-on-exec and numbered 3 or above (so that a
// parent with a closed stdin/stdout/stderr cannot confuse the dup2s).
// Returns {read end, write end}.
absl::StatusOr<std::pair<int, int>> MakePipe();

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_SPAWN_H_
