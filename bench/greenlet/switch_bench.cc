// Switch round trip (main -> greenlet -> main): Evergreen's RawGreenlet
// against raw Boost.Context fcontext, the floor any fcontext-based greenlet
// can reach.
//
// Fair because both sides make exactly the same two jumps per iteration, on
// a stack allocated before timing, and pass one pointer each way. The
// fcontext side does nothing else, so the gap is precisely what
// RawGreenlet's bookkeeping costs (current greenlet, thread and liveness
// checks, exception state). The Python greenlet peer runs in the same
// suite from greenlet_peer.py.
#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fixedsize_stack.hpp>

#include "benchmark/benchmark.h"
#include "greenlet/raw_greenlet.h"
#include "greenlet/stack.h"

namespace evergreen {
namespace {

namespace fcontext = boost::context::detail;

void BM_EvergreenSwitchRoundTrip(benchmark::State& state) {
  RawGreenlet* main_greenlet = RawGreenlet::Main();
  // Hands every value straight back to main; nullptr makes it finish.
  RawGreenlet echo([main_greenlet](void* value) -> void* {
    while (value != nullptr) value = main_greenlet->Switch(value);
    return nullptr;
  });
  int token = 0;
  echo.Switch(&token);  // Starts it (stack from the pool) before timing.
  for (auto _ : state) {
    benchmark::DoNotOptimize(echo.Switch(&token));
  }
  echo.Switch(nullptr);
}
BENCHMARK(BM_EvergreenSwitchRoundTrip);

// Jumps back to whoever resumed it, forever. Abandoned when the benchmark
// ends: nothing on its stack needs destroying.
void FcontextEcho(fcontext::transfer_t transfer) {
  for (;;) transfer = fcontext::jump_fcontext(transfer.fctx, transfer.data);
}

void BM_BoostContextSwitchRoundTrip(benchmark::State& state) {
  boost::context::fixedsize_stack allocator(kDefaultStackSize);
  boost::context::stack_context stack = allocator.allocate();
  fcontext::fcontext_t echo =
      fcontext::make_fcontext(stack.sp, stack.size, &FcontextEcho);
  int token = 0;
  echo = fcontext::jump_fcontext(echo, &token).fctx;
  for (auto _ : state) {
    fcontext::transfer_t back = fcontext::jump_fcontext(echo, &token);
    echo = back.fctx;
    benchmark::DoNotOptimize(back.data);
  }
  allocator.deallocate(stack);
}
BENCHMARK(BM_BoostContextSwitchRoundTrip);

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
