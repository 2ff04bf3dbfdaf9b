// Ask round trip: a pinger actor asks a ponger actor for n + 1 and waits
// for the reply before asking again. One iteration is one request and its
// reply: two mailbox deliveries, two handler runs, and the pinger waiting
// for its future.
//
// Fair because both sides run the same sequential ping-pong between two
// actors of one thread (an Evergreen hub; CAF with one scheduler worker),
// each with its idiom for a request: Evergreen's Ask(...).Get() inside the
// pinger's handler, CAF's request(...).then(...) continuation (CAF's
// blocking-free equivalent; its pinger handles nothing else meanwhile
// either). Neither side sets a timeout on the request.
//
// BM_CafSendPingPongRoundTrip is CAF's floor beside it: the same round
// trip as two plain sends (ping, then pong back), without request ids or
// response handlers; an Ask does more than that (a reply slot, a future),
// so this peer is the harder one. BM_EvergreenCallRoundTrip is the same
// pinger with Call(...), Ask's blocking form (no future: the reply lands in
// a slot on the pinger's stack).
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
using bench::CafSendPinger;
using bench::CafSendPonger;
using bench::Pinger;
using bench::Ponger;
using bench::Run;
using bench::RunBatches;

void BM_EvergreenAskRoundTrip(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  ActorRef<Pinger> pinger =
      SpawnActor<Pinger>(ActorOptions{}, SpawnActor<Ponger>());
  RunBatches(state, 10'000, [&](std::int64_t n) { pinger.Ask(Run{n}).Get(); });
}
BENCHMARK(BM_EvergreenAskRoundTrip)->UseRealTime();

// Ask's blocking form, Call(...): the same round trip without the future.
void BM_EvergreenCallRoundTrip(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  ActorRef<bench::CallPinger> pinger =
      SpawnActor<bench::CallPinger>(ActorOptions{}, SpawnActor<Ponger>());
  RunBatches(state, 10'000, [&](std::int64_t n) { pinger.Ask(Run{n}).Get(); });
}
BENCHMARK(BM_EvergreenCallRoundTrip)->UseRealTime();

void BM_CafRequestRoundTrip(benchmark::State& state) {
  CafPeer caf;
  caf::actor ponger = caf.system().spawn(CafPonger);
  caf::actor pinger = caf.system().spawn(CafPinger, ponger, caf::duration(caf::infinite));
  RunBatches(state, 10'000, [&](std::int64_t n) { caf.Run(pinger, n); });
  caf.Stop({pinger, ponger});
}
BENCHMARK(BM_CafRequestRoundTrip)->UseRealTime();

void BM_CafSendPingPongRoundTrip(benchmark::State& state) {
  CafPeer caf;
  caf::actor ponger = caf.system().spawn(CafSendPonger);
  caf::actor pinger = caf.system().spawn(CafSendPinger, ponger);
  RunBatches(state, 10'000, [&](std::int64_t n) { caf.Run(pinger, n); });
  caf.Stop({pinger, ponger});
}
BENCHMARK(BM_CafSendPingPongRoundTrip)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
