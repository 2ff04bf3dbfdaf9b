// ChildServer: a sample server run as a child process, for tests that
// load it from outside (B-LR1 bursts, UDP floods) and watch its memory.
//
//   ChildServer child("samples/echo/echo", {"--port=0"});
//   absl::StatusOr<SocketAddress> address = child.Address();  // "... on A"
//   ... load it ...
//   child.WaitForLines(" left", 100);   // 100 lines ending so
//   long kib = child.ResidentKiB();
//
// The child's stdout is read by a greenlet of the test's hub, line by line;
// its first line ending in " on HOST:PORT" gives Address(). The child is
// killed (SIGKILL) and reaped on destruction.
//
// Thread affinity: the hub thread that constructs it.
#ifndef EVERGREEN_TESTS_NET_CHILD_SERVER_H_
#define EVERGREEN_TESTS_NET_CHILD_SERVER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "net/address.h"

namespace evergreen {

class ChildServer {
 public:
  // Starts `binary` (a runfiles path) with `args`.
  ChildServer(const std::string& binary, std::vector<std::string> args);
  ~ChildServer();
  ChildServer(const ChildServer&) = delete;
  ChildServer& operator=(const ChildServer&) = delete;

  // The address the child announced. Blocks until it does (or `patience`
  // passes: DeadlineExceeded) or its output ends (Unavailable).
  absl::StatusOr<SocketAddress> Address(
      absl::Duration patience = absl::Seconds(20));
  // Blocks until `count` lines ending in `suffix` have been printed, or
  // `patience` passes; returns whether they were.
  bool WaitForLines(absl::string_view suffix, int count,
                    absl::Duration patience = absl::Seconds(20));
  // The child's resident set in KiB (/proc/PID/statm), -1 when gone.
  long ResidentKiB() const;
  // Whether the child is still running (not exited or killed).
  bool Running() const;

 private:
  void ReadLines();
  int CountLines(absl::string_view suffix) const;

  pid_t pid_ = -1;
  int out_ = -1;
  std::vector<std::string> lines_;
  bool ended_ = false;
  Event changed_;  // a line arrived, or the output ended
  Greenlet<void> reader_;
};

}  // namespace evergreen

#endif  // EVERGREEN_TESTS_NET_CHILD_SERVER_H_
