// Create + run to completion + destroy, with pooled stacks: Evergreen's
// RawGreenlet against
//   - a Boost.Context fiber (boost::context::fiber) created, resumed until
//     its function returns, and destroyed: the like-for-like peer, a bare
//     context with its own stack and no scheduler, as RawGreenlet is;
//   - a Boost.Fiber fiber created and joined: join() is the only way to run
//     one to completion, so this goes through Fiber's scheduler (ready
//     queue, the joining fiber's suspension); its cost of spawning.
//
// Fair because every side takes a stack of the same size (kDefaultStackSize)
// from a pool warmed before timing (Evergreen's per-thread StackPool,
// Boost's pooled_fixedsize_stack), so none pays mmap inside the loop, and
// every body does nothing but hand one value on. The Python greenlet peer
// runs in the same suite from greenlet_peer.py.
#include <memory>
#include <utility>

#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
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

void BM_BoostContextCreateRunDestroy(benchmark::State& state) {
  namespace ctx = boost::context;
  ctx::pooled_fixedsize_stack stacks(kDefaultStackSize);
  int token = 0;
  void* seen = nullptr;
  auto body = [&token, &seen](ctx::fiber&& caller) {
    seen = &token;  // hands the value on, as Identity does
    return std::move(caller);
  };
  ctx::fiber(std::allocator_arg, stacks, body).resume();  // warms the pool
  for (auto _ : state) {
    ctx::fiber fiber(std::allocator_arg, stacks, body);
    fiber = std::move(fiber).resume();  // runs to the end: empty again
    benchmark::DoNotOptimize(seen);
  }
}
BENCHMARK(BM_BoostContextCreateRunDestroy);

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
