// A scoped Timeout around a call that returns in time: constructing the
// Timeout (arming its timer) and leaving the scope (cancelling it), the
// cost every deadline-guarded call pays when nothing goes wrong.
//
// Fair because gevent_peer.py times the same scope in gevent,
// `with gevent.Timeout(10): call()`, which starts a libev timer on entry and
// stops it on exit, as Evergreen's Timeout does on the same libev. The
// deadline is far away on both sides, so it never fires.
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "framework/hub.h"
#include "framework/timeout.h"

namespace evergreen {
namespace {

int ReturnsInTime(int value) {
  benchmark::DoNotOptimize(value);
  return value;
}

void BM_EvergreenTimeoutScope(benchmark::State& state) {
  Hub::Current();
  int value = 0;
  for (auto _ : state) {
    Timeout timeout(absl::Seconds(10));
    value = ReturnsInTime(value + 1);
  }
  benchmark::DoNotOptimize(value);
}
BENCHMARK(BM_EvergreenTimeoutScope);

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
