// A fixed number of one hot-path operation, for instruction counts under
// callgrind (deterministic on a loaded machine, unlike timings):
//
//   op_counts <op> <n>     op: sleep0 sleep0_pair spawn_join queue_pingpong
//                              switch
//
// op_counts.py runs it under `valgrind --tool=callgrind` twice (a small and
// a large n) and prints the instructions per operation: the difference of
// the two totals over the difference of the counts, so start-up, the hub's
// creation and the warm-up cancel out. Each operation is the body of the
// matching google-benchmark loop (yield_bench, spawn_bench, queue_bench,
// bench/greenlet/switch_bench). The hub's poll budget is set long: under
// callgrind everything runs ~50x slower, and the 1 ms budget would make the
// hub poll far more often than it does at full speed (it polls every 16
// batches regardless).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/time/time.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/queue.h"
#include "framework/waiter.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen {
namespace {

void Yield() { Sleep(absl::ZeroDuration()); }
void Nothing() {}

void Sleep0(long n) {
  Yield();  // creates the hub
  for (long i = 0; i < n; ++i) Yield();
}

void Sleep0Pair(long n) {
  bool stop = false;
  Greenlet<void> partner = Spawn([&stop] {
    while (!stop) Yield();
  });
  Yield();
  for (long i = 0; i < n; ++i) Yield();
  stop = true;
  partner.Join();
}

void SpawnJoin(long n) {
  Spawn(&Nothing).Join();
  for (long i = 0; i < n; ++i) Spawn(&Nothing).Join();
}

void QueuePingPong(long n) {
  Queue<int> ping;
  Queue<int> pong;
  Greenlet<void> partner = Spawn([ping, pong] {
    for (auto v = ping.Get(); v.ok(); v = ping.Get()) (void)pong.Put(*v);
  });
  int v = 0;
  for (long i = 0; i < n; ++i) {
    (void)ping.Put(v);
    v = *pong.Get() + 1;
  }
  ping.Shutdown();
  partner.Join();
  if (v != n) std::abort();
}

void SwitchRoundTrip(long n) {
  RawGreenlet* main_greenlet = RawGreenlet::Main();
  RawGreenlet echo([main_greenlet](void* value) -> void* {
    while (value != nullptr) value = main_greenlet->Switch(value);
    return nullptr;
  });
  int token = 0;
  echo.Switch(&token);
  for (long i = 0; i < n; ++i) echo.Switch(&token);
  echo.Switch(nullptr);
}

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <op> <count>\n", argv[0]);
    return 2;
  }
  const long n = std::atol(argv[2]);
  const char* op = argv[1];
  evergreen::Hub::Current()->set_poll_budget(absl::Seconds(100));
  if (std::strcmp(op, "sleep0") == 0) {
    evergreen::Sleep0(n);
  } else if (std::strcmp(op, "sleep0_pair") == 0) {
    evergreen::Sleep0Pair(n);
  } else if (std::strcmp(op, "spawn_join") == 0) {
    evergreen::SpawnJoin(n);
  } else if (std::strcmp(op, "queue_pingpong") == 0) {
    evergreen::QueuePingPong(n);
  } else if (std::strcmp(op, "switch") == 0) {
    evergreen::SwitchRoundTrip(n);
  } else {
    std::fprintf(stderr, "op_counts: unknown op '%s'\n", op);
    return 2;
  }
  return 0;
}
