// Actors across two threads: Evergreen's actors on the two hubs of a
// HubGroup against CAF 0.17 with two scheduler workers.
//
//   cross-hub Ask round trip   a pinger on hub 0 asks a ponger on hub 1 for
//                              n + 1 and waits for the reply before asking
//                              again; one iteration is one request and its
//                              reply (CAF: request(...).then(...) between
//                              two actors of a 2-worker system)
//   cross-hub Tell throughput  a sender on hub 0 tells a sink on hub 1 a
//                              batch of increments in bursts of 100 (it
//                              re-queues itself between bursts), and the
//                              sink reports when it has counted them all;
//                              one iteration is one increment delivered
//
// Fairness: CAF schedules actors over its workers by work stealing, so it
// is free to run both actors on one worker (it has no pinning); Evergreen's
// actors stay on their hubs, so every Evergreen message crosses threads
// (inbox + ev_async). Both sides use their idioms; the main thread only
// starts a batch and waits for its end.
#include <cstdint>

#include "actors/actor.h"
#include "actors/actor_on_hub.h"
#include "actors/actor_ref.h"
#include "bench/actors/ping_pong.h"
#include "bench/actors/support.h"
#include "framework/hub_group.h"

namespace evergreen {
namespace {

using bench::CafPeer;
using bench::CafPinger;
using bench::CafPonger;
using bench::Pinger;
using bench::Ponger;
using bench::Run;
using bench::RunBatches;

constexpr std::int64_t kBurst = 100;

void BM_EvergreenCrossHubAskRoundTrip(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  HubGroup hubs({.threads = 2});
  absl::StatusOr<ActorRef<Ponger>> ponger =
      SpawnActorOn<Ponger>(hubs, 1, ActorOptions{});
  if (!ponger.ok()) bench::Fail("spawn ponger");
  absl::StatusOr<ActorRef<Pinger>> pinger =
      SpawnActorOn<Pinger>(hubs, 0, ActorOptions{}, *ponger);
  if (!pinger.ok()) bench::Fail("spawn pinger");
  RunBatches(state, 10'000, [&](std::int64_t n) { pinger->Ask(Run{n}).Get(); });
  hubs.Stop();
}
BENCHMARK(BM_EvergreenCrossHubAskRoundTrip)->UseRealTime();

void BM_CafTwoWorkersRequestRoundTrip(benchmark::State& state) {
  CafPeer caf(2);
  caf::actor ponger = caf.system().spawn(CafPonger);
  caf::actor pinger = caf.system().spawn(CafPinger, ponger, caf::duration(caf::infinite));
  RunBatches(state, 10'000, [&](std::int64_t n) { caf.Run(pinger, n); });
  caf.Stop({pinger, ponger});
}
BENCHMARK(BM_CafTwoWorkersRequestRoundTrip)->UseRealTime();

// --- Tell throughput ---------------------------------------------------------

struct Increment {};
struct Count {};

class Sink : public ActorBase {
 public:
  void Handle(Increment) { ++count_; }
  std::int64_t Handle(Count) { return count_; }

 private:
  std::int64_t count_ = 0;
};

class Sender : public ActorBase {
 public:
  explicit Sender(ActorRef<Sink> sink) : sink_(std::move(sink)) {}
  // Tells n increments in bursts, then asks the sink for its count (which
  // arrives after them: one sender's messages keep their order).
  void Handle(Run run) {
    for (std::int64_t sent = 0; sent < run.n; sent += kBurst) {
      for (std::int64_t i = 0; i < kBurst; ++i) (void)sink_.Tell(Increment{});
      Sleep(absl::ZeroDuration());  // as the CAF sender re-queues itself
    }
    expected_ += run.n;
    if (sink_.Ask(Count{}).Get() != expected_) bench::Fail("lost increments");
  }

 private:
  ActorRef<Sink> sink_;
  std::int64_t expected_ = 0;
};

void BM_EvergreenCrossHubTell(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  HubGroup hubs({.threads = 2});
  absl::StatusOr<ActorRef<Sink>> sink =
      SpawnActorOn<Sink>(hubs, 1, ActorOptions{});
  if (!sink.ok()) bench::Fail("spawn sink");
  absl::StatusOr<ActorRef<Sender>> sender =
      SpawnActorOn<Sender>(hubs, 0, ActorOptions{}, *sink);
  if (!sender.ok()) bench::Fail("spawn sender");
  RunBatches(state, 100'000,
             [&](std::int64_t n) { sender->Ask(Run{n}).Get(); });
  hubs.Stop();
}
BENCHMARK(BM_EvergreenCrossHubTell)->UseRealTime();

using send_atom = bench::send_atom;
using inc_atom = bench::inc_atom;
using get_atom = bench::get_atom;

caf::behavior CafSink(caf::stateful_actor<std::int64_t>* self) {
  return {[self](inc_atom) { ++self->state; },
          [self](get_atom) { return self->state; }};
}

struct CafSenderState {
  CafSenderState() = default;  // not an aggregate: see support.h
  caf::actor sink;
  caf::response_promise done;
  std::int64_t expected = 0;
};
using CafSenderActor = caf::stateful_actor<CafSenderState>;

caf::behavior CafSender(CafSenderActor* self, caf::actor sink) {
  self->state.sink = std::move(sink);
  return {
      [self](bench::run_atom, std::int64_t n) {
        self->state.done = self->make_response_promise();
        self->state.expected += n;
        self->send(self, send_atom::value, n);
      },
      [self](send_atom, std::int64_t left) {
        for (std::int64_t i = 0; i < kBurst; ++i) {
          self->send(self->state.sink, inc_atom::value);
        }
        if (left > kBurst) {
          self->send(self, send_atom::value, left - kBurst);
          return;
        }
        self->request(self->state.sink, caf::infinite, get_atom::value)
            .then([self](std::int64_t count) {
              if (count != self->state.expected) bench::Fail("lost increments");
              self->state.done.deliver(bench::done_atom::value);
            });
      }};
}

void BM_CafTwoWorkersTell(benchmark::State& state) {
  CafPeer caf(2);
  caf::actor sink = caf.system().spawn(CafSink);
  caf::actor sender = caf.system().spawn(CafSender, sink);
  RunBatches(state, 100'000, [&](std::int64_t n) { caf.Run(sender, n); });
  caf.Stop({sender, sink});
}
BENCHMARK(BM_CafTwoWorkersTell)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
