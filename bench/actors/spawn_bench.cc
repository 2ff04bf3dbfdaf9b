// Spawn + stop: a spawner actor spawns an actor that handles one message
// type and at once asks it to stop; the batch ends when every actor of it
// has run its exit hook. One iteration is one actor's whole life: creation,
// first scheduling, the stop request through its mailbox, its exit.
//
// Fair because both sides do the same on one thread (an Evergreen hub,
// CAF's single scheduler worker): the spawner is an actor on both, the
// stop is each library's graceful, queued one (Evergreen's ActorRef::Stop,
// exit kShutdown; CAF's send_exit with user_shutdown, an exit_msg in the
// mailbox), and each actor counts itself out in its exit hook (OnStop,
// on_exit). Neither side links or monitors the child.
#include <cstdint>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "bench/actors/support.h"
#include "framework/event.h"

namespace evergreen {
namespace {

using bench::CafPeer;
using bench::Run;
using bench::RunBatches;

constexpr std::int64_t kBatch = 10'000;

// Actors of the current batch that have not exited yet, and who to tell
// when none are left.
struct Live {
  std::int64_t count = 0;
  Event done;
};

struct Nothing {};

class Idle : public ActorBase {
 public:
  explicit Idle(Live* live) : live_(live) {}
  void Handle(Nothing) {}

 protected:
  void OnStop(const Exit&) override {
    if (--live_->count == 0) live_->done.Set();
  }

 private:
  Live* live_;
};

class Spawner : public ActorBase {
 public:
  explicit Spawner(Live* live) : live_(live) {}
  void Handle(Run run) {
    for (std::int64_t i = 0; i < run.n; ++i) {
      SpawnActor<Idle>(ActorOptions{}, live_).Stop();
    }
  }

 private:
  Live* live_;
};

void BM_EvergreenSpawnStop(benchmark::State& state) {
  Live live;  // outlives the hub and its actors
  bench::FreshHubAfter fresh_hub;
  ActorRef<Spawner> spawner = SpawnActor<Spawner>(ActorOptions{}, &live);
  RunBatches(state, kBatch, [&](std::int64_t n) {
    live.count = n;
    live.done = Event();
    (void)spawner.Tell(Run{n});
    live.done.Wait();
  });
}
BENCHMARK(BM_EvergreenSpawnStop)->UseRealTime();

struct CafLive {
  std::int64_t count = 0;
  caf::actor report_to;
};

class CafIdle : public caf::event_based_actor {
 public:
  CafIdle(caf::actor_config& config, CafLive* live)
      : caf::event_based_actor(config), live_(live) {}
  caf::behavior make_behavior() override {
    return {[](bench::inc_atom) {}};
  }
  void on_exit() override {
    if (--live_->count == 0) send(live_->report_to, bench::done_atom::value);
  }

 private:
  CafLive* live_;
};

caf::behavior CafSpawner(caf::event_based_actor* self, CafLive* live) {
  return {[self, live](bench::run_atom, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
      self->send_exit(self->spawn<CafIdle>(live),
                      caf::exit_reason::user_shutdown);
    }
  }};
}

void BM_CafSpawnExit(benchmark::State& state) {
  CafLive live;  // outlives the actor system
  CafPeer caf;
  live.report_to = caf.main();
  caf::actor spawner = caf.system().spawn(CafSpawner, &live);
  RunBatches(state, kBatch, [&](std::int64_t n) {
    live.count = n;
    caf::anon_send(spawner, bench::run_atom::value, n);
    caf.AwaitDone();
  });
  caf.Stop({spawner});
}
BENCHMARK(BM_CafSpawnExit)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
