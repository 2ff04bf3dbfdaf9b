// Queue ping-pong: main puts a number on one queue, a partner greenlet gets
// it and puts it on a second queue, main gets it back. One iteration is a
// full round trip: two Puts, two Gets, and two blocking hand-overs through
// the scheduler. Against boost::fibers::buffered_channel.
//
// Fair because on every side the getter is already blocked when the item
// is put, so each Put hands the item over and wakes the other task, which
// runs on the scheduler's next turn; no queue ever holds more than one item,
// so neither Evergreen's unbounded Queue nor Boost's bounded channel (the
// smallest capacity it allows, 2) ever blocks a putter. gevent_peer.py
// runs the same ping-pong on gevent.queue.Queue.
#include <memory>

#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/pooled_fixedsize_stack.hpp>

#include "benchmark/benchmark.h"
#include "framework/greenlet.h"
#include "framework/queue.h"
#include "greenlet/stack.h"

namespace evergreen {
namespace {

void BM_EvergreenQueuePingPong(benchmark::State& state) {
  Queue<int> ping;
  Queue<int> pong;
  Greenlet<void> partner = Spawn([ping, pong] {
    // Echoes until the queue is shut down.
    for (auto n = ping.Get(); n.ok(); n = ping.Get()) (void)pong.Put(*n);
  });
  int n = 0;
  for (auto _ : state) {
    (void)ping.Put(n);
    n = *pong.Get() + 1;
  }
  ping.Shutdown();
  partner.Join();
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_EvergreenQueuePingPong);

void BM_BoostFiberChannelPingPong(benchmark::State& state) {
  using Channel = boost::fibers::buffered_channel<int>;
  boost::fibers::pooled_fixedsize_stack stacks(kDefaultStackSize);
  Channel ping(2);
  Channel pong(2);
  boost::fibers::fiber partner(std::allocator_arg, stacks, [&ping, &pong] {
    // Echoes until the channel is closed.
    for (int n; ping.pop(n) == boost::fibers::channel_op_status::success;) {
      pong.push(n);
    }
  });
  int n = 0;
  for (auto _ : state) {
    ping.push(n);
    n = pong.value_pop() + 1;
  }
  ping.close();
  partner.join();
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_BoostFiberChannelPingPong);

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
