// Hooked blocking recv ping-pong: two greenlets of one hub bounce a 64-byte
// message over a Unix socketpair, `count` round trips, either with plain
// blocking recv/send made cooperative by the syscall hooks
// (framework/hooks.h) or with Evergreen's own non-blocking Socket. Prints
// {"samples_us": [...]}: microseconds per round trip, one sample per
// repetition after one untimed warm-up round.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/framework/harness.h"
#include "framework/greenlet.h"
#include "framework/hooks.h"
#include "framework/hub.h"
#include "net/socket.h"

namespace evergreen {
namespace {

constexpr std::size_t kMessage = 64;

// Blocking POSIX code: recv until a whole message is in, send it back.
bool BounceBlocking(int fd, long count, bool first) {
  char buffer[kMessage];
  std::memset(buffer, 'x', sizeof buffer);
  for (long i = 0; i < count; ++i) {
    if (first && send(fd, buffer, kMessage, 0) != kMessage) return false;
    for (std::size_t got = 0; got < kMessage;) {
      const ssize_t n = recv(fd, buffer + got, kMessage - got, 0);
      if (n <= 0) return false;
      got += static_cast<std::size_t>(n);
    }
    if (!first && send(fd, buffer, kMessage, 0) != kMessage) return false;
  }
  return true;
}

bool BounceNative(Socket& socket, long count, bool first) {
  const std::string message(kMessage, 'x');
  char buffer[kMessage];
  for (long i = 0; i < count; ++i) {
    if (first && !socket.SendAll(message).ok()) return false;
    for (std::size_t got = 0; got < kMessage;) {
      absl::StatusOr<std::size_t> n =
          socket.RecvInto(buffer + got, kMessage - got);
      if (!n.ok() || *n == 0) return false;
      got += *n;
    }
    if (!first && !socket.SendAll(message).ok()) return false;
  }
  return true;
}

// One timed run of `count` round trips; false on an I/O failure.
bool RunOnce(bool hooked, long count, double* seconds) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return false;
  bool ok = true;
  *seconds = bench::SecondsToRun([&] {
    if (hooked) {
      auto a = Spawn(BounceBlocking, fds[0], count, true);
      auto b = Spawn(BounceBlocking, fds[1], count, false);
      ok = a.Get() && b.Get();
    } else {
      absl::StatusOr<Socket> a = Socket::Adopt(fds[0]);
      absl::StatusOr<Socket> b = Socket::Adopt(fds[1]);
      if (!a.ok() || !b.ok()) {
        ok = false;
        return;
      }
      auto ga = Spawn([&] { return BounceNative(*a, count, true); });
      auto gb = Spawn([&] { return BounceNative(*b, count, false); });
      ok = ga.Get() && gb.Get();
      fds[0] = fds[1] = -1;  // the Sockets closed them
    }
  });
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
  return ok;
}

int Run(bool hooked, const bench::MacroArgs& args) {
  if (hooked) {
    if (!hooks::Linked()) {
      std::fprintf(stderr, "hooks_bench: the hooks are not interposed\n");
      return 1;
    }
    hooks::Enable();
  }
  std::vector<double> samples;
  for (int i = 0; i <= args.repetitions; ++i) {
    double seconds = 0;
    if (!RunOnce(hooked, args.count, &seconds)) {
      std::fprintf(stderr, "hooks_bench: ping-pong failed\n");
      return 1;
    }
    if (i > 0) samples.push_back(seconds * 1e6 / args.count);
  }
  bench::PrintSamples("samples_us", samples);
  return 0;
}

int RunHooked(const bench::MacroArgs& args) { return Run(true, args); }
int RunNative(const bench::MacroArgs& args) { return Run(false, args); }

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) {
  return evergreen::bench::RunMacro(
      argc, argv,
      {.usage = "hooks_bench hooked|native [round trips] [repetitions]",
       .default_count = 50000,
       .default_repetitions = 3},
      {{"hooked", &evergreen::RunHooked}, {"native", &evergreen::RunNative}});
}
