// Create + run to completion + destroy, with pooled stacks: Evergreen's
// RawGreenlet against a Boost.Fiber fiber created and joined.
//
// Fair because both sides take a stack of the same size from a pool warmed
// before timing (Evergreen's per-thread StackPool, Boost's
// pooled_fixedsize_stack), so neither pays mmap inside the loop, and both
// bodies do nothing but hand one value on. Boost.Fiber reaches the fiber
// through its scheduler because join() is the only way to run one to
// completion; that is its cost of spawning. The Python greenlet peer runs
// in the same suite from greenlet_peer.py.
#include <memory>

#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/pooled_fixedsize_stack.hpp>

#include "benchmark/benchmark.h"
#include "greenlet/raw_greenlet.h"
#include "greenlet/stack.h"

namespace evergreen {
namespace {

void* Identity(void* value) { return value; }

void BM_EvergreenCreateRunDestroy(benchmark::State& state) {
  int token = 0;
  RawGreenlet(&Identity).Switch(&token);  // Leaves a stack in the pool.
  for (auto _ : state) {
    RawGreenlet greenlet(&Identity);
    benchmark::DoNotOptimize(greenlet.Switch(&token));
  }
}
BENCHMARK(BM_EvergreenCreateRunDestroy);

void BM_BoostFiberCreateJoin(benchmark::State& state) {
  boost::fibers::pooled_fixedsize_stack stacks(kDefaultStackSize);
  int token = 0;
  auto body = [&token] { benchmark::DoNotOptimize(&token); };
  boost::fibers::fiber(std::allocator_arg, stacks, body).join();
  for (auto _ : state) {
    boost::fibers::fiber fiber(std::allocator_arg, stacks, body);
    fiber.join();
  }
}
BENCHMARK(BM_BoostFiberCreateJoin);

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
