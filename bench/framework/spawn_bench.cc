// Spawn + Join of a greenlet that does nothing: Evergreen's Spawn(...).Join()
// against a Boost.Fiber fiber created and joined.
//
// Fair because both sides start a fresh task on a stack of the same size
// from a pool warmed before timing (Evergreen's per-thread StackPool,
// Boost's pooled_fixedsize_stack), let the scheduler run it to completion
// and wait for it from the main task, which resumes only once the child is
// dead: create, schedule, two switches in and out, and destroy. Both
// libraries reach the child only through their scheduler, as users do.
// gevent_peer.py times gevent.spawn(f).join() in the same suite.
#include <memory>

#include <boost/fiber/fiber.hpp>
#include <boost/fiber/pooled_fixedsize_stack.hpp>

#include "benchmark/benchmark.h"
#include "framework/greenlet.h"
#include "greenlet/stack.h"

namespace evergreen {
namespace {

void Nothing() {}

void BM_EvergreenSpawnJoin(benchmark::State& state) {
  Spawn(&Nothing).Join();  // Creates the hub and pools a stack.
  for (auto _ : state) Spawn(&Nothing).Join();
}
BENCHMARK(BM_EvergreenSpawnJoin);

void BM_BoostFiberSpawnJoin(benchmark::State& state) {
  boost::fibers::pooled_fixedsize_stack stacks(kDefaultStackSize);
  boost::fibers::fiber(std::allocator_arg, stacks, &Nothing).join();
  for (auto _ : state) {
    boost::fibers::fiber(std::allocator_arg, stacks, &Nothing).join();
  }
}
BENCHMARK(BM_BoostFiberSpawnJoin);

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
