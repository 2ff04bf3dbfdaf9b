// Tell throughput into one mailbox from many senders: 100 sender actors
// each tell a sink actor 10,000 increments, in bursts of 100 between which
// a sender re-queues itself (a Send message to itself) so that senders and
// the sink interleave and the mailbox stays bounded. One iteration is one
// increment delivered and handled; run.py turns the time per increment
// into messages per second.
//
// Fair because both sides run the identical protocol (same senders, burst,
// self-message to yield, a sink that counts to the batch size and then
// reports) with every actor on one thread: an Evergreen hub, CAF's single
// scheduler worker. Messages are an increment each side's idiom: a struct
// for Evergreen, an atom for CAF.
#include <cstdint>
#include <vector>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "bench/actors/support.h"
#include "framework/event.h"

namespace evergreen {
namespace {

using bench::CafPeer;
using bench::RunBatches;

constexpr int kSenders = 100;
constexpr std::int64_t kBurst = 100;
constexpr std::int64_t kBatch = 1'000'000;  // increments, all senders

struct Increment {};
struct Expect {
  std::int64_t n;
  Event done;
};

class Sink : public ActorBase {
 public:
  void Handle(Expect e) {
    left_ = e.n;
    done_ = e.done;
  }
  void Handle(Increment) {
    if (--left_ == 0) done_.Set();
  }

 private:
  std::int64_t left_ = 0;
  Event done_;
};

struct Send {
  std::int64_t left;
};

class Sender : public ActorBase {
 public:
  explicit Sender(ActorRef<Sink> sink) : sink_(std::move(sink)) {}
  void Handle(Send s) {
    const std::int64_t burst = s.left < kBurst ? s.left : kBurst;
    for (std::int64_t i = 0; i < burst; ++i) (void)sink_.Tell(Increment{});
    if (s.left > burst) (void)Self().Tell(Send{s.left - burst});
  }

 private:
  ActorRef<Sender> Self() const { return ActorRef<Sender>(self().cell()); }
  ActorRef<Sink> sink_;
};

void BM_EvergreenTellManySenders(benchmark::State& state) {
  bench::FreshHubAfter fresh_hub;
  ActorRef<Sink> sink = SpawnActor<Sink>();
  std::vector<ActorRef<Sender>> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.push_back(SpawnActor<Sender>(ActorOptions{}, sink));
  }
  RunBatches(state, kBatch, [&](std::int64_t n) {
    Event done;
    (void)sink.Tell(Expect{n, done});
    for (const ActorRef<Sender>& sender : senders) {
      (void)sender.Tell(Send{n / kSenders});
    }
    done.Wait();
  });
}
BENCHMARK(BM_EvergreenTellManySenders)->UseRealTime();

struct CafSinkState {
  CafSinkState() = default;  // not an aggregate: see support.h
  std::int64_t left = 0;
};

caf::behavior CafSink(caf::stateful_actor<CafSinkState>* self,
                      caf::actor report_to) {
  return {
      [self](bench::expect_atom, std::int64_t n) { self->state.left = n; },
      [self, report_to](bench::inc_atom) {
        if (--self->state.left == 0) {
          self->send(report_to, bench::done_atom::value);
        }
      },
  };
}

caf::behavior CafSender(caf::event_based_actor* self, caf::actor sink) {
  return {[self, sink](bench::send_atom, std::int64_t left) {
    const std::int64_t burst = left < kBurst ? left : kBurst;
    for (std::int64_t i = 0; i < burst; ++i) {
      self->send(sink, bench::inc_atom::value);
    }
    if (left > burst) self->send(self, bench::send_atom::value, left - burst);
  }};
}

void BM_CafSendManySenders(benchmark::State& state) {
  CafPeer caf;
  caf::actor sink = caf.system().spawn(CafSink, caf.main());
  std::vector<caf::actor> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.push_back(caf.system().spawn(CafSender, sink));
  }
  RunBatches(state, kBatch, [&](std::int64_t n) {
    caf::anon_send(sink, bench::expect_atom::value, n);
    for (const caf::actor& sender : senders) {
      caf::anon_send(sender, bench::send_atom::value, n / kSenders);
    }
    caf.AwaitDone();
  });
  caf.StopAll(senders);
  caf.Stop({sink});
}
BENCHMARK(BM_CafSendManySenders)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
