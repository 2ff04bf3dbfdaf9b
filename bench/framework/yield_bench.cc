// Sleep(0), the yield round trip through the hub: greenlet -> hub -> the
// same greenlet, with nothing else ready (one greenlet) and with a partner
// that yields in turn (two greenlets alternating: per iteration each of the
// two yields once). Against boost::this_fiber::yield() in the same two
// set-ups.
//
// Fair because each side uses its public yield and its own scheduler with
// default settings: Evergreen's hub (which polls libev for I/O between
// batches of ready greenlets, as gevent's hub does) and Boost.Fiber's
// round-robin scheduler (which has no I/O to poll). Nothing else is ready,
// so each iteration is exactly the scheduler's yield path. gevent_peer.py
// times gevent.sleep(0) the same two ways.
#include <memory>

#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/pooled_fixedsize_stack.hpp>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "framework/greenlet.h"
#include "framework/waiter.h"
#include "greenlet/stack.h"

namespace evergreen {
namespace {

void Yield() { Sleep(absl::ZeroDuration()); }

void BM_EvergreenSleep0(benchmark::State& state) {
  Yield();  // Creates the hub.
  for (auto _ : state) Yield();
}
BENCHMARK(BM_EvergreenSleep0);

void BM_EvergreenSleep0Pair(benchmark::State& state) {
  bool stop = false;
  Greenlet<void> partner = Spawn([&stop] {
    while (!stop) Yield();
  });
  Yield();  // The partner starts and yields back.
  for (auto _ : state) Yield();
  stop = true;
  partner.Join();
}
BENCHMARK(BM_EvergreenSleep0Pair);

void BM_BoostFiberYield(benchmark::State& state) {
  for (auto _ : state) boost::this_fiber::yield();
}
BENCHMARK(BM_BoostFiberYield);

void BM_BoostFiberYieldPair(benchmark::State& state) {
  boost::fibers::pooled_fixedsize_stack stacks(kDefaultStackSize);
  bool stop = false;
  boost::fibers::fiber partner(std::allocator_arg, stacks, [&stop] {
    while (!stop) boost::this_fiber::yield();
  });
  boost::this_fiber::yield();
  for (auto _ : state) boost::this_fiber::yield();
  stop = true;
  partner.join();
}
BENCHMARK(BM_BoostFiberYieldPair);

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
