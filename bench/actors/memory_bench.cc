// Resident memory per idle actor: spawns `count` actors that handle one
// message type and are never sent one, waits until every one has started
// and sits idle waiting for its mailbox, and prints
// {"bytes_per_actor": [x]}: the growth of peak RSS (VmHWM) over the RSS
// before the first spawn, divided by `count`.
//
// How: peak RSS, not malloc statistics, so that everything an idle actor
// costs counts on both sides whoever allocated it: Evergreen's greenlet
// stack (mmap'ed with a guard page; only the pages the actor touched are
// resident), its cell and mailbox; CAF's actor object, mailbox and
// behavior (an event_based_actor has no stack of its own while idle). The
// baseline is taken after one actor has been spawned and stopped, so the
// hub's or the actor system's first-use costs are not counted.
//
// Fair because both sides do the same on one thread (an Evergreen hub;
// CAF 0.17 with one scheduler worker): the same count of actors, each of
// one handler, each counted as started from inside itself (OnStart;
// make_behavior) and none holding anything else. No handles are kept on
// either side: an idle actor is kept alive by its hub / actor system.
//
// Two Evergreen configurations: `evergreen`, stackful actors (each idle
// actor waits in its greenlet, holding the stack's touched pages), and
// `evergreen_hibernating`, actors spawned with
// ActorOptions::hibernate_when_idle (an idle actor has no greenlet: its
// stack is back in the pool), the like-for-like peer of CAF's
// event_based_actor.
//
// Usage: memory_bench <evergreen|evergreen_hibernating|caf> [count]
// Exits 1 with a message on stderr when not all actors could start (each
// Evergreen stack takes two memory mappings: mind vm.max_map_count).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "absl/strings/string_view.h"
#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "bench/actors/support.h"
#include "bench/framework/harness.h"
#include "framework/event.h"
#include "framework/hub.h"

namespace evergreen {
namespace {

struct Nothing {};

// Actors of the run that have started, and who to tell when all have.
struct Started {
  long count = 0;
  long wanted = 0;
  Event all;
};

class Idle : public ActorBase {
 public:
  explicit Idle(Started* started) : started_(started) {}
  void Handle(Nothing) {}

 protected:
  void OnStart() override {
    if (++started_->count == started_->wanted) started_->all.Set();
  }

 private:
  Started* started_;
};

void Report(long before_kib, long count) {
  const long peak_kib = bench::PeakResidentKiB();
  bench::PrintSamples(
      "bytes_per_actor",
      {static_cast<double>(peak_kib - before_kib) * 1024 / count});
}

int RunEvergreenWith(const bench::MacroArgs& args, ActorOptions options) {
  Hub* hub = Hub::Current();
  long failures = 0;
  std::string first_failure;
  hub->SetErrorHandler([&](absl::string_view, std::exception_ptr error) {
    if (failures++ > 0) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      first_failure = e.what();
    }
  });
  Started started;
  {  // The hub's and the actor machinery's first-use costs are not counted.
    started.wanted = 1;
    ActorRef<Idle> first = SpawnActor<Idle>(options, &started);
    started.all.Wait();
    first.Stop();
    first.Join();
  }
  started = {};
  started.wanted = args.count;
  const long before = bench::ResidentKiB();
  for (long i = 0; i < args.count; ++i) {
    SpawnActor<Idle>(options, &started);
  }
  if (!started.all.Wait(absl::Seconds(600))) {
    std::fprintf(stderr,
                 "memory_bench: only %ld of %ld actors started (%ld failed; "
                 "first: %s)\n",
                 started.count, args.count, failures, first_failure.c_str());
    std::_Exit(1);
  }
  Report(before, args.count);
  // Stopping a million actors is not what is measured.
  std::_Exit(0);
}

int RunEvergreen(const bench::MacroArgs& args) {
  return RunEvergreenWith(args, ActorOptions{});
}

int RunEvergreenHibernating(const bench::MacroArgs& args) {
  return RunEvergreenWith(args, ActorOptions{.hibernate_when_idle = true});
}

struct CafStarted {
  std::atomic<long> count{0};
  long wanted = 0;
  caf::actor report_to;
};

class CafIdle : public caf::event_based_actor {
 public:
  CafIdle(caf::actor_config& config, CafStarted* started)
      : caf::event_based_actor(config), started_(started) {}
  caf::behavior make_behavior() override {
    if (started_->count.fetch_add(1) + 1 == started_->wanted) {
      send(started_->report_to, bench::done_atom::value);
    }
    return {[](bench::inc_atom) {}};
  }

 private:
  CafStarted* started_;
};

int RunCaf(const bench::MacroArgs& args) {
  static CafStarted started;  // outlives the actors (the process _Exits)
  static bench::CafPeer caf;  // one scheduler worker
  started.report_to = caf.main();
  started.wanted = 1;
  caf::anon_send_exit(caf.system().spawn<CafIdle>(&started),
                      caf::exit_reason::user_shutdown);
  caf.AwaitDone();
  started.count = 0;
  started.wanted = args.count;
  const long before = bench::ResidentKiB();
  for (long i = 0; i < args.count; ++i) caf.system().spawn<CafIdle>(&started);
  caf.AwaitDone();
  Report(before, args.count);
  std::_Exit(0);
}

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) {
  return evergreen::bench::RunMacro(
      argc, argv,
      {.usage = "memory_bench <evergreen|evergreen_hibernating|caf> [count]",
       .default_count = 1000000},
      {{"evergreen", &evergreen::RunEvergreen},
       {"evergreen_hibernating", &evergreen::RunEvergreenHibernating},
       {"caf", &evergreen::RunCaf}});
}
