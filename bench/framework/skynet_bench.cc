// skynet: a 10-ary tree of greenlets whose `size` leaves return their ids
// and whose inner nodes spawn their ten children, then join them and sum
// (1,000,000 leaves: 1,111,111 greenlets). Prints {"samples_s": [...]},
// seconds per whole tree, after one untimed warm-up tree.
//
// Fair because both sides run the same tree in the same order on one
// thread, each child on a stack of the same size (kDefaultStackSize, 256
// KiB) that comes from a pool: Evergreen's per-thread StackPool, Boost's
// pooled_fixedsize_stack (Boost.Fiber's best setting here; the
// boost_fiber_fixedsize mode runs its per-fiber malloc'ed fixedsize_stack
// for comparison). Children report through what each library offers
// for it: Greenlet<T>::Get() in Evergreen, a slot in the parent's frame plus
// fiber::join() in Boost.Fiber. gevent_peer.py runs the same tree.
//
// Usage: skynet_bench <evergreen|boost_fiber|boost_fiber_fixedsize> [size]
//                     [repetitions]
#include <array>
#include <cstdio>
#include <memory>
#include <vector>

#include <boost/fiber/fiber.hpp>
#include <boost/fiber/fixedsize_stack.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/pooled_fixedsize_stack.hpp>

#include "bench/framework/harness.h"
#include "framework/greenlet.h"
#include "greenlet/stack.h"

namespace evergreen {
namespace {

constexpr long kFanOut = 10;

long long EvergreenSkynet(long long id, long size) {
  if (size == 1) return id;
  const long child_size = size / kFanOut;
  std::array<Greenlet<long long>, kFanOut> children;
  for (long i = 0; i < kFanOut; ++i) {
    children[i] = Spawn(&EvergreenSkynet, id + i * child_size, child_size);
  }
  long long sum = 0;
  for (const Greenlet<long long>& child : children) sum += child.Get();
  return sum;
}

template <typename Stacks>
long long BoostSkynet(Stacks& stacks, long long id, long size) {
  if (size == 1) return id;
  const long child_size = size / kFanOut;
  std::array<long long, kFanOut> sums;
  std::array<boost::fibers::fiber, kFanOut> children;
  for (long i = 0; i < kFanOut; ++i) {
    children[i] = boost::fibers::fiber(
        std::allocator_arg, stacks, [&stacks, &sums, i, id, child_size] {
          sums[i] = BoostSkynet(stacks, id + i * child_size, child_size);
        });
  }
  long long sum = 0;
  for (long i = 0; i < kFanOut; ++i) {
    children[i].join();
    sum += sums[i];
  }
  return sum;
}

// Runs one warm-up tree and `repetitions` timed ones; checks every sum.
int Measure(const bench::MacroArgs& args, long long (*tree)(long size)) {
  const long long expected =
      static_cast<long long>(args.count) * (args.count - 1) / 2;
  std::vector<double> samples;
  for (int i = 0; i <= args.repetitions; ++i) {
    long long sum = 0;
    const double seconds = bench::SecondsToRun([&] { sum = tree(args.count); });
    if (sum != expected) {
      std::fprintf(stderr, "skynet_bench: sum %lld, expected %lld\n", sum,
                   expected);
      return 1;
    }
    if (i > 0) samples.push_back(seconds);
  }
  bench::PrintSamples("samples_s", samples);
  return 0;
}

int RunEvergreen(const bench::MacroArgs& args) {
  return Measure(args, [](long size) {
    return Spawn(&EvergreenSkynet, 0LL, size).Get();
  });
}

// One tree of Boost.Fiber fibers whose stacks come from `stacks`.
template <typename Stacks>
long long BoostTree(Stacks& stacks, long size) {
  long long sum = 0;
  boost::fibers::fiber(std::allocator_arg, stacks, [&stacks, &sum, size] {
    sum = BoostSkynet(stacks, 0, size);
  }).join();
  return sum;
}

// Boost.Fiber's fastest stacks for this load, the suite's peer: a
// pooled_fixedsize_stack (boost::pool; freed stacks are reused, no system
// call per fiber, no guard page), its pool warmed by the untimed tree.
int RunBoostFiber(const bench::MacroArgs& args) {
  return Measure(args, [](long size) {
    static boost::fibers::pooled_fixedsize_stack stacks(kDefaultStackSize);
    return BoostTree(stacks, size);
  });
}

// Boost.Fiber's default kind of stack at our size: fixedsize_stack, one
// malloc and free per fiber. Slower than pooled on this load; kept so that
// the choice of the pooled one can be checked.
int RunBoostFiberFixedsize(const bench::MacroArgs& args) {
  return Measure(args, [](long size) {
    static boost::fibers::fixedsize_stack stacks(kDefaultStackSize);
    return BoostTree(stacks, size);
  });
}

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) {
  return evergreen::bench::RunMacro(
      argc, argv,
      {.usage = "skynet_bench <evergreen|boost_fiber|boost_fiber_fixedsize> "
                "[size] [repetitions]",
       .default_count = 1000000,
       .default_repetitions = 3},
      {{"evergreen", &evergreen::RunEvergreen},
       {"boost_fiber", &evergreen::RunBoostFiber},
       {"boost_fiber_fixedsize", &evergreen::RunBoostFiberFixedsize}});
}
