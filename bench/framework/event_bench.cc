// Event::Set waking N parked greenlets (N = 1 and 1,000): the time from Set
// until every waiter has resumed and the setter runs again.
//
// Each iteration the main greenlet sets one of two gates and waits on a
// `done` event that the last waiter to resume sets; the waiters then park
// on the other gate, which main cleared beforehand. So an iteration is one
// Set, N wake-ups, and the one extra wake-up that tells main they all ran.
// gevent_peer.py runs exactly this protocol on gevent.event.Event, so the
// extra wake-up is charged to both sides alike.
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/wait.h"
#include "framework/waiter.h"

namespace evergreen {
namespace {

void BM_EvergreenEventWake(benchmark::State& state) {
  const long waiters = state.range(0);
  Event gates[2];
  Event done;
  long resumed = 0;
  bool stop = false;
  std::vector<Greenlet<void>> parked;
  parked.reserve(waiters);
  for (long i = 0; i < waiters; ++i) {
    parked.push_back(Spawn([&] {
      for (int gate = 0;; gate ^= 1) {
        gates[gate].Wait();
        if (stop) return;
        if (++resumed == waiters) {
          resumed = 0;
          done.Set();
        }
      }
    }));
  }
  Sleep(absl::ZeroDuration());  // Every waiter parks on gates[0].
  int gate = 0;
  for (auto _ : state) {
    gates[gate ^ 1].Clear();
    gates[gate].Set();
    done.Wait();
    done.Clear();
    gate ^= 1;
  }
  stop = true;
  gates[gate].Set();
  JoinAll(parked);
}
BENCHMARK(BM_EvergreenEventWake)->Arg(1)->Arg(1000);

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
