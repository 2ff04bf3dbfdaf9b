// Savina ThreadRing: 1,000 actors in a ring pass a token that counts down
// from the number of hops; the actor that receives it at zero reports the
// end. One iteration is one hop (one message, one handler run, one switch
// of actor); a benchmark run is one whole trip (see kHops), which run.py
// reports as the time for the trip.
//
// Fair because both rings are built alike (each actor learns its neighbour
// from a message before the run) and run the same hand-over on one thread:
// an Evergreen hub, CAF's single scheduler worker. The ring is built once,
// outside the timed trip.
#include <cstdint>
#include <memory>
#include <vector>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "bench/actors/ring_node.h"
#include "bench/actors/support.h"
#include "framework/event.h"

namespace evergreen {
namespace {

using bench::CafPeer;
using bench::RunBatches;

constexpr int kRingSize = 1000;
constexpr std::int64_t kHops = 10'000'000;

using bench::RingNode;
using bench::SetNext;
using bench::Token;

void BM_EvergreenThreadRing(benchmark::State& state) {
  Event done;  // outlives the hub and the ring
  bench::FreshHubAfter fresh_hub;
  std::vector<ActorRef<RingNode>> ring;
  for (int i = 0; i < kRingSize; ++i) {
    ring.push_back(SpawnActor<RingNode>(ActorOptions{}, &done));
  }
  for (int i = 0; i < kRingSize; ++i) {
    (void)ring[i].Tell(SetNext{ring[(i + 1) % kRingSize]});
  }
  RunBatches(state, kHops, [&](std::int64_t hops) {
    done.Clear();
    (void)ring[0].Tell(Token{hops});
    done.Wait();
  });
}
BENCHMARK(BM_EvergreenThreadRing)->Iterations(kHops)->UseRealTime();

struct CafRingState {
  CafRingState() = default;  // not an aggregate: see support.h
  caf::actor next;
};

caf::behavior CafRingNode(caf::stateful_actor<CafRingState>* self,
                          caf::actor report_to) {
  return {
      [self](bench::next_atom, caf::actor next) {
        self->state.next = std::move(next);
      },
      [self, report_to](bench::token_atom, std::int64_t hops) {
        if (hops == 0) {
          self->send(report_to, bench::done_atom::value);
        } else {
          self->send(self->state.next, bench::token_atom::value, hops - 1);
        }
      },
  };
}

void BM_CafThreadRing(benchmark::State& state) {
  CafPeer caf;
  std::vector<caf::actor> ring;
  for (int i = 0; i < kRingSize; ++i) {
    ring.push_back(caf.system().spawn(CafRingNode, caf.main()));
  }
  for (int i = 0; i < kRingSize; ++i) {
    caf::anon_send(ring[i], bench::next_atom::value, ring[(i + 1) % kRingSize]);
  }
  RunBatches(state, kHops, [&](std::int64_t hops) {
    caf::anon_send(ring[0], bench::token_atom::value, hops);
    caf.AwaitDone();
  });
  caf.StopAll(ring);
}
BENCHMARK(BM_CafThreadRing)->Iterations(kHops)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
