// Supervisor restart latency: a driver actor crashes a supervised worker
// (its handler throws), waits to be told of the replacement, and asks the
// replacement for n + 1. One iteration is crash → new child serving: the
// exception, the exit reaching the supervisor, the restart decision, the
// spawn, the hand-over of the new ref, and one request/reply to the new
// child.
//
// Fair as far as a peer exists: CAF 0.17 has no supervisor, so its side is
// the supervisor a CAF user writes by hand — monitor the child and spawn a
// new one in the down handler — which does less than Evergreen's (no child
// table, restart strategy or restart-intensity window; the supervisor runs
// one_for_one with an intensity high enough never to give up). Both crash
// by throwing from a handler, tell the driver of the new child with one
// hand-over (an Event set by the start function; a message), and run on
// one thread: an Evergreen hub, CAF's single scheduler worker.
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "actors/supervisor.h"
#include "bench/actors/support.h"
#include "framework/event.h"

namespace evergreen {
namespace {

using bench::CafPeer;
using bench::ping_atom;
using bench::Run;
using bench::RunBatches;

constexpr std::int64_t kBatch = 1'000;

struct Crash {};
struct Ping {
  std::int64_t n;
};

class Worker : public ActorBase {
 public:
  void Handle(Crash) { throw std::runtime_error("crash"); }
  std::int64_t Handle(Ping p) { return p.n + 1; }
};

// Where the supervisor's start function leaves the worker it started.
struct Current {
  ActorRef<Worker> worker;
  Event started;
};

class Driver : public ActorBase {
 public:
  explicit Driver(Current* current) : current_(current) {}
  void Handle(Run run) {
    for (std::int64_t i = 0; i < run.n; ++i) {
      current_->started.Clear();
      (void)current_->worker.Tell(Crash{});
      current_->started.Wait();
      if (current_->worker.Ask(Ping{i}).Get() != i + 1) {
        bench::Fail("wrong reply from the new worker");
      }
    }
  }

 private:
  Current* current_;
};

void BM_EvergreenSupervisorRestart(benchmark::State& state) {
  Current current;  // outlives the hub and the supervisor
  bench::FreshHubAfter fresh_hub;
  absl::StatusOr<Supervisor> supervisor =
      Supervisor::Start({.strategy = Strategy::kOneForOne,
                         .intensity = std::numeric_limits<int>::max(),
                         .period = absl::Milliseconds(10)},
                        {{.id = "worker", .start = [&current] {
                            current.worker = SpawnActor<Worker>();
                            current.started.Set();
                            return Child(current.worker);
                          }}});
  if (!supervisor.ok()) bench::Fail("the supervisor did not start");
  ActorRef<Driver> driver = SpawnActor<Driver>(ActorOptions{}, &current);
  RunBatches(state, kBatch, [&](std::int64_t n) { driver.Ask(Run{n}).Get(); });
}
BENCHMARK(BM_EvergreenSupervisorRestart)->UseRealTime();

using crash_atom = caf::atom_constant<caf::atom("crash")>;
using started_atom = caf::atom_constant<caf::atom("started")>;

caf::behavior CafWorker(caf::event_based_actor* self) {
  // CAF's default handler prints every exception; Evergreen reports a
  // failed actor only through its exit, so CAF's worker stays quiet too.
  self->set_exception_handler(
      [](caf::scheduled_actor*, std::exception_ptr&) -> caf::error {
        return caf::sec::runtime_error;
      });
  return {
      [](crash_atom) { throw std::runtime_error("crash"); },
      [](ping_atom, std::int64_t n) { return n + 1; },
  };
}

struct CafSupervisorState {
  CafSupervisorState() = default;  // not an aggregate: see support.h
  caf::actor child;
  caf::actor report_to;
};
using CafSupervisorActor = caf::stateful_actor<CafSupervisorState>;

void CafStartChild(CafSupervisorActor* self) {
  self->state.child = self->spawn(CafWorker);
  self->monitor(self->state.child);
  self->send(self->state.report_to, started_atom::value, self->state.child);
}

caf::behavior CafSupervisor(CafSupervisorActor* self, caf::actor report_to) {
  self->state.report_to = std::move(report_to);
  self->set_down_handler([self](caf::down_msg& down) {
    if (down.source == self->state.child) CafStartChild(self);
  });
  CafStartChild(self);
  return {[](bench::next_atom) {}};
}

struct CafDriverState {
  CafDriverState() = default;  // not an aggregate: see support.h
  caf::actor worker;
  std::int64_t done = 0;
  std::int64_t n = 0;
  caf::response_promise finished;
};
using CafDriverActor = caf::stateful_actor<CafDriverState>;

// Crashes the worker; the rest of the iteration runs when it is replaced.
void CafCrashNext(CafDriverActor* self) {
  if (self->state.done == self->state.n) {
    self->state.finished.deliver(bench::done_atom::value);
    return;
  }
  self->send(self->state.worker, crash_atom::value);
}

caf::behavior CafDriver(CafDriverActor* self) {
  return {
      [self](bench::run_atom, std::int64_t n) {
        self->state.finished = self->make_response_promise();
        self->state.done = 0;
        self->state.n = n;
        if (self->state.worker) CafCrashNext(self);
      },
      [self](started_atom, caf::actor worker) {
        const bool first = !self->state.worker;
        self->state.worker = std::move(worker);
        if (first) {
          // A run may have come first and be waiting for the child.
          if (self->state.n > 0) CafCrashNext(self);
          return;
        }
        const std::int64_t i = self->state.done;
        self->request(self->state.worker, caf::infinite, ping_atom::value, i)
            .then([self, i](std::int64_t reply) {
              if (reply != i + 1)
                bench::Fail("wrong reply from the new worker");
              ++self->state.done;
              CafCrashNext(self);
            });
      },
  };
}

void BM_CafHandRolledSupervisorRestart(benchmark::State& state) {
  CafPeer caf;
  caf::actor driver = caf.system().spawn(CafDriver);
  caf::actor supervisor = caf.system().spawn(CafSupervisor, driver);
  RunBatches(state, kBatch, [&](std::int64_t n) { caf.Run(driver, n); });
  caf.Stop({driver, supervisor});
}
BENCHMARK(BM_CafHandRolledSupervisorRestart)->UseRealTime();

}  // namespace
}  // namespace evergreen

BENCHMARK_MAIN();
