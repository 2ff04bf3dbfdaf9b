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
#include "bench/actors/ping_pong.h"
#include "bench/actors/support.h"

namespace evergreen {
namespace {

using bench::CafPeer;
using bench::CafPinger;
using bench::CafPonger;
using bench::Ping;
using bench::Ponger;
using bench::Run;
using bench::RunBatches;

constexpr absl::Duration kTimeout = absl::Seconds(60);

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

void BM_CafTimedRequestRoundTrip(benchmark::State& state) {
  CafPeer caf;
  caf::actor ponger = caf.system().spawn(CafPonger);
  caf::actor pinger = caf.system().spawn(CafPinger, ponger,
                                         caf::duration(std::chrono::seconds(60)));
  RunBatches(state, 10'000, [&](std::int64_t n) { caf.Run(pinger, n); });
  caf.Stop({pinger, ponger});
}
BENCHMARK(BM_CafTimedRequestRoundTrip)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
