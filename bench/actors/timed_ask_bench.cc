// Timed Ask answered before its timeout: the ask_bench round trip, but
// every request carries a 60 s timeout that never expires. It measures
// what a deadline costs when the reply comes in time — on Evergreen a
// cancellable hub timer started per Ask and cancelled by the reply, on CAF
// request(..., timeout, ...).then(...), which arms and disposes a timeout
// of its own per request.
//
// BM_EvergreenTimersAliveAfterTimedAsks is not a timing: it runs 100,000
// timed asks once and reports, in the counter `timers_alive`, how many
// CallLater timers the hub still holds afterwards (B-D2: none).
#include <cstdint>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "bench/actors/support.h"

namespace evergreen {
namespace {

using bench::CafPeer;
using bench::ping_atom;
using bench::Run;
using bench::RunBatches;

constexpr absl::Duration kTimeout = absl::Seconds(60);

struct Ping {
  std::int64_t n;
};

class Ponger : public ActorBase {
 public:
  std::int64_t Handle(Ping p) { return p.n + 1; }
};

class TimedPinger : public ActorBase {
 public:
  explicit TimedPinger(ActorRef<Ponger> ponger) : ponger_(std::move(ponger)) {}
  void Handle(Run run) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < run.n; ++i) {
      n = ponger_.Ask(Ping{n}, kTimeout).Get();
    }
    if (n != run.n) bench::Fail("wrong pong");
  }

 private:
  ActorRef<Ponger> ponger_;
};

void BM_EvergreenTimedAskRoundTrip(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  ActorRef<TimedPinger> pinger =
      SpawnActor<TimedPinger>(ActorOptions{}, SpawnActor<Ponger>());
  RunBatches(state, 10'000, [&](std::int64_t n) { pinger.Ask(Run{n}).Get(); });
}
BENCHMARK(BM_EvergreenTimedAskRoundTrip)->UseRealTime();

void BM_EvergreenTimersAliveAfterTimedAsks(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  ActorRef<TimedPinger> pinger =
      SpawnActor<TimedPinger>(ActorOptions{}, SpawnActor<Ponger>());
  for (auto _ : state) pinger.Ask(Run{100'000}).Get();
  state.counters["timers_alive"] =
      static_cast<double>(Hub::Current()->pending_calls());
}
BENCHMARK(BM_EvergreenTimersAliveAfterTimedAsks)->Iterations(1)->UseRealTime();

caf::behavior CafPonger() {
  return {[](ping_atom, std::int64_t n) { return n + 1; }};
}

struct CafPingerState {
  CafPingerState() = default;  // not an aggregate: see support.h
  caf::actor ponger;
  caf::response_promise done;
};
using CafPingerActor = caf::stateful_actor<CafPingerState>;

void CafTimedPingNext(CafPingerActor* self, std::int64_t n, std::int64_t left) {
  if (left == 0) {
    self->state.done.deliver(bench::done_atom::value);
    return;
  }
  self->request(self->state.ponger, std::chrono::seconds(60), ping_atom::value,
                n)
      .then([self, n, left](std::int64_t reply) {
        if (reply != n + 1) bench::Fail("wrong pong");
        CafTimedPingNext(self, reply, left - 1);
      });
}

caf::behavior CafTimedPinger(CafPingerActor* self, caf::actor ponger) {
  self->state.ponger = std::move(ponger);
  return {[self](bench::run_atom, std::int64_t n) {
    self->state.done = self->make_response_promise();
    CafTimedPingNext(self, 0, n);
  }};
}

void BM_CafTimedRequestRoundTrip(benchmark::State& state) {
  CafPeer caf;
  caf::actor ponger = caf.system().spawn(CafPonger);
  caf::actor pinger = caf.system().spawn(CafTimedPinger, ponger);
  RunBatches(state, 10'000, [&](std::int64_t n) { caf.Run(pinger, n); });
  caf.Stop({pinger, ponger});
}
BENCHMARK(BM_CafTimedRequestRoundTrip)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
