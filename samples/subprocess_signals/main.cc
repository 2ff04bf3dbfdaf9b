// Child processes and signals, cooperatively: while children run and
// signals are awaited, a ticker greenlet keeps ticking on the same thread.
//
//  1. CheckOutput feeds 1 MB to `wc -c` and reads its answer.
//  2. A run that outlives its timeout is killed with its whole process
//     group and reaped; a missing binary fails with the exec error.
//  3. A child signals its parent (SIGUSR1); the handler runs in a greenlet.
//  4. A "server" loop stops gracefully when a child sends SIGTERM.
//
//   bazel run //samples/subprocess_signals
#include <signal.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/run_process.h"
#include "framework/signals.h"
#include "framework/waiter.h"

using evergreen::RunOptions;

int main() {
  // The proof that nothing below blocks the thread.
  int ticks = 0;
  bool done = false;
  auto ticker = evergreen::Spawn([&] {
    while (!done) {
      evergreen::Sleep(absl::Milliseconds(10));
      ++ticks;
    }
  });

  // 1. A megabyte in, a count out.
  RunOptions feed;
  feed.input = std::string(1 << 20, 'x');
  absl::StatusOr<std::string> count = evergreen::CheckOutput({"wc", "-c"}, feed);
  std::printf("wc -c counted %s bytes\n",
              count.ok() ? std::string(absl::StripAsciiWhitespace(*count)).c_str()
                         : count.status().ToString().c_str());

  // 2. A shell and its grandchild, killed together when time is up.
  RunOptions slow;
  slow.timeout = absl::Milliseconds(200);
  slow.process.new_process_group = true;
  absl::StatusOr<evergreen::Completed> late =
      evergreen::Run({"sh", "-c", "sleep 30 & sleep 30"}, slow);
  std::printf("slow run: %s\n", late.status().ToString().c_str());
  std::printf("missing binary: %s\n",
              evergreen::Run({"no-such-tool"}).status().ToString().c_str());

  // 3. A child signals us; the handler is an ordinary greenlet.
  evergreen::Event usr1;
  absl::StatusOr<evergreen::SignalWatch> watch =
      evergreen::OnSignal({SIGUSR1}, [&](int signal) {
        std::printf("handler got %s in greenlet '%s'\n", sigabbrev_np(signal),
                    evergreen::GreenletBase::Current()->name().c_str());
        usr1.Set();
      });
  if (!watch.ok()) return 1;
  (void)evergreen::Run({"sh", "-c", "kill -USR1 $PPID"});
  usr1.Wait(absl::Seconds(5));

  // 4. Graceful stop on SIGTERM: the loop finishes its current request.
  bool stopping = false;
  evergreen::SignalWatch stop = evergreen::StopOnSignals([&] {
    std::printf("SIGTERM: finishing the request in flight\n");
    stopping = true;
  });
  auto killer = evergreen::Spawn([] {
    (void)evergreen::Run({"sh", "-c", "sleep 0.2; kill -TERM $PPID"});
  });
  int served = 0;
  while (!stopping) {
    evergreen::Sleep(absl::Milliseconds(50));  // "serve a request"
    ++served;
  }
  killer.Join();
  std::printf("served %d requests, then stopped cleanly\n", served);

  done = true;
  ticker.Join();
  std::printf("meanwhile the ticker ticked %d times\n", ticks);
  return 0;
}
