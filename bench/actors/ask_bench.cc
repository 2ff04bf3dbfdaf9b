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

struct Ping {
  std::int64_t n;
};

class Ponger : public ActorBase {
 public:
  std::int64_t Handle(Ping p) { return p.n + 1; }
};

class Pinger : public ActorBase {
 public:
  explicit Pinger(ActorRef<Ponger> ponger) : ponger_(std::move(ponger)) {}
  void Handle(Run run) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < run.n; ++i) n = ponger_.Ask(Ping{n}).Get();
    if (n != run.n) bench::Fail("wrong pong");
  }

 private:
  ActorRef<Ponger> ponger_;
};

void BM_EvergreenAskRoundTrip(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  ActorRef<Pinger> pinger =
      SpawnActor<Pinger>(ActorOptions{}, SpawnActor<Ponger>());
  RunBatches(state, 10'000, [&](std::int64_t n) { pinger.Ask(Run{n}).Get(); });
}
BENCHMARK(BM_EvergreenAskRoundTrip)->UseRealTime();

caf::behavior CafPonger() {
  return {[](ping_atom, std::int64_t n) { return n + 1; }};
}

struct CafPingerState {
  CafPingerState() = default;  // not an aggregate: see support.h
  caf::actor ponger;
  caf::response_promise done;
};
using CafPingerActor = caf::stateful_actor<CafPingerState>;

// One request; its reply sends the next until `left` runs out.
void CafPingNext(CafPingerActor* self, std::int64_t n, std::int64_t left) {
  if (left == 0) {
    self->state.done.deliver(bench::done_atom::value);
    return;
  }
  self->request(self->state.ponger, caf::infinite, ping_atom::value, n)
      .then([self, n, left](std::int64_t reply) {
        if (reply != n + 1) bench::Fail("wrong pong");
        CafPingNext(self, reply, left - 1);
      });
}

caf::behavior CafPinger(CafPingerActor* self, caf::actor ponger) {
  self->state.ponger = std::move(ponger);
  return {[self](bench::run_atom, std::int64_t n) {
    self->state.done = self->make_response_promise();
    CafPingNext(self, 0, n);
  }};
}

void BM_CafRequestRoundTrip(benchmark::State& state) {
  CafPeer caf;
  caf::actor ponger = caf.system().spawn(CafPonger);
  caf::actor pinger = caf.system().spawn(CafPinger, ponger);
  RunBatches(state, 10'000, [&](std::int64_t n) { caf.Run(pinger, n); });
  caf.Stop({pinger, ponger});
}
BENCHMARK(BM_CafRequestRoundTrip)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
