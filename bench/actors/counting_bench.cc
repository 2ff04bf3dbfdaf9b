// Savina Counting: a producer actor tells a counter actor to increment N
// times in a row, then asks it for the total and checks it. One iteration
// is one increment; a benchmark run is one whole count (see kCount), which
// run.py reports as the time for the count.
//
// Fair because both sides run the same producer/counter pair on one thread
// (an Evergreen hub, CAF's single scheduler worker): the producer sends
// all N increments from one handler without yielding, as Savina's does, so
// on both sides the counter's mailbox grows to N before it drains; the
// final total is a request/reply on both (Ask, request(...).then).
#include <cstdint>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "bench/actors/support.h"

namespace evergreen {
namespace {

using bench::CafPeer;
using bench::Run;
using bench::RunBatches;

constexpr std::int64_t kCount = 1'000'000;

struct Increment {};
struct GetTotal {};

class Counter : public ActorBase {
 public:
  void Handle(Increment) { ++total_; }
  std::int64_t Handle(GetTotal) { return total_; }

 private:
  std::int64_t total_ = 0;
};

class Producer : public ActorBase {
 public:
  explicit Producer(ActorRef<Counter> counter) : counter_(std::move(counter)) {}
  void Handle(Run run) {
    for (std::int64_t i = 0; i < run.n; ++i) (void)counter_.Tell(Increment{});
    expected_ += run.n;
    if (counter_.Ask(GetTotal{}).Get() != expected_) bench::Fail("miscount");
  }

 private:
  ActorRef<Counter> counter_;
  std::int64_t expected_ = 0;
};

void BM_EvergreenCounting(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  ActorRef<Producer> producer =
      SpawnActor<Producer>(ActorOptions{}, SpawnActor<Counter>());
  RunBatches(state, kCount,
             [&](std::int64_t n) { producer.Ask(Run{n}).Get(); });
}
BENCHMARK(BM_EvergreenCounting)->Iterations(kCount)->UseRealTime();

struct CafCounterState {
  CafCounterState() = default;  // not an aggregate: see support.h
  std::int64_t total = 0;
};

caf::behavior CafCounter(caf::stateful_actor<CafCounterState>* self) {
  return {
      [self](bench::inc_atom) { ++self->state.total; },
      [self](bench::get_atom) { return self->state.total; },
  };
}

struct CafProducerState {
  CafProducerState() = default;  // not an aggregate: see support.h
  std::int64_t expected = 0;
};

caf::behavior CafProducer(caf::stateful_actor<CafProducerState>* self,
                          caf::actor counter) {
  return {[self, counter](bench::run_atom, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
      self->send(counter, bench::inc_atom::value);
    }
    self->state.expected += n;
    caf::response_promise done = self->make_response_promise();
    self->request(counter, caf::infinite, bench::get_atom::value)
        .then([self, done](std::int64_t total) mutable {
          if (total != self->state.expected) bench::Fail("miscount");
          done.deliver(bench::done_atom::value);
        });
  }};
}

void BM_CafCounting(benchmark::State& state) {
  CafPeer caf;
  caf::actor counter = caf.system().spawn(CafCounter);
  caf::actor producer = caf.system().spawn(CafProducer, counter);
  RunBatches(state, kCount, [&](std::int64_t n) { caf.Run(producer, n); });
  caf.Stop({producer, counter});
}
BENCHMARK(BM_CafCounting)->Iterations(kCount)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
