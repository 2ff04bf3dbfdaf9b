// A supervision tree spread over every core: one hub per core (a HubGroup),
// a root supervisor on hub 0, and under it one supervisor per hub, started
// on that hub, each supervising a worker actor there.
//
//   root (one_for_one, hub 0)
//   ├── hub0_sup (hub 0) ── worker@hub0
//   ├── hub1_sup (hub 1) ── worker@hub1
//   └── ...
//
// The driver (a greenlet on hub 0) asks every worker across hubs, crashes
// the last hub's worker (its own supervisor restarts it there), then kills
// that hub's supervisor (the root, on hub 0, restarts it on its hub: a
// restart across threads), asks everyone again, and stops the tree.
//
//   bazel run //samples/multicore_tree
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "actors/actor.h"
#include "actors/actor_on_hub.h"
#include "actors/supervisor.h"
#include "framework/event.h"
#include "framework/hub.h"
#include "framework/hub_group.h"

namespace {

using evergreen::ActorBase;
using evergreen::ActorRef;
using evergreen::AnyActorRef;
using evergreen::Child;
using evergreen::ChildSpec;
using evergreen::HubGroup;
using evergreen::Supervisor;

struct WhereAreYou {};
struct Crash {};

// Who started where: workers announce themselves to hub 0 (Post: no
// blocking, no shared state touched off hub 0).
struct Roster {
  std::map<int, std::vector<ActorRef<class Worker>>> starts;  // by hub
  evergreen::Event changed;  // on hub 0
};

class Worker : public ActorBase {
 public:
  using Messages = std::tuple<WhereAreYou, Crash>;
  Worker(HubGroup* hubs, Roster* roster, int hub)
      : hubs_(hubs), roster_(roster), hub_(hub) {}
  void OnStart() override {
    ActorRef<Worker> me(self().cell());
    (void)hubs_->Post(0, [roster = roster_, hub = hub_, me] {
      roster->starts[hub].push_back(me);
      roster->changed.Set();
    });
  }
  std::string Handle(WhereAreYou) {
    return absl::StrCat(self().name(), " on hub ", hubs_->CurrentIndex(),
                        " (thread ",
                        std::hash<std::thread::id>()(std::this_thread::get_id()) %
                            10000,
                        ")");
  }
  void Handle(Crash) { throw std::runtime_error("crashed on purpose"); }

 private:
  HubGroup* hubs_;
  Roster* roster_;
  int hub_;
};

// The spec of hub `hub`'s supervisor; its start function runs in the
// root's greenlet on hub 0 and starts the supervisor on hub `hub`.
ChildSpec HubSupervisorSpec(HubGroup& hubs, Roster& roster, int hub) {
  return ChildSpec{
      .id = absl::StrCat("hub", hub, "_sup"),
      .start = [&hubs, &roster, hub]() -> absl::StatusOr<Child> {
        absl::StatusOr<absl::StatusOr<Child>> started =
            hubs.Spawn(hub, [&hubs, &roster, hub]() -> absl::StatusOr<Child> {
                  absl::StatusOr<Supervisor> sup = Supervisor::Start(
                      {.strategy = evergreen::Strategy::kOneForOne,
                       .intensity = 3},
                      {{.id = "worker",
                        .start = [&hubs, &roster, hub]() -> absl::StatusOr<Child> {
                          return Child(evergreen::SpawnActor<Worker>(
                              {.name = absl::StrCat("worker@hub", hub)},
                              &hubs, &roster, hub));
                        }}},
                      {.name = absl::StrCat("hub", hub, "_sup")});
                  if (!sup.ok()) return sup.status();
                  return sup->AsChild();
                })
                .Result();
        if (!started.ok()) return started.status();
        return *started;
      },
      .type = evergreen::ChildType::kSupervisor,
  };
}

// Blocks (this greenlet, on hub 0) until hub `hub` has started `n` workers.
ActorRef<Worker> AwaitStart(Roster& roster, int hub, std::size_t n) {
  while (roster.starts[hub].size() < n) {
    roster.changed.Clear();
    if (!roster.changed.Wait(absl::Seconds(10))) {
      std::printf("no worker start on hub %d within 10s\n", hub);
      std::exit(1);
    }
  }
  return roster.starts[hub].back();
}

void AskEveryone(Roster& roster, int hubs) {
  for (int hub = 0; hub < hubs; ++hub) {
    absl::StatusOr<std::string> where =
        roster.starts[hub].back().Ask(WhereAreYou{}, absl::Seconds(5)).Result();
    std::printf("  asked from hub 0: %s\n",
                where.ok() ? where->c_str() : where.status().ToString().c_str());
  }
}

bool Drive(HubGroup& hubs) {
  Roster roster;
  std::vector<ChildSpec> specs;
  for (int hub = 0; hub < hubs.size(); ++hub) {
    specs.push_back(HubSupervisorSpec(hubs, roster, hub));
  }
  absl::StatusOr<Supervisor> root = Supervisor::Start(
      {.strategy = evergreen::Strategy::kOneForOne, .intensity = 3}, specs,
      {.name = "root"});
  if (!root.ok()) {
    std::printf("root failed to start: %s\n", root.status().ToString().c_str());
    return false;
  }
  const int last = hubs.size() - 1;
  for (int hub = 0; hub < hubs.size(); ++hub) AwaitStart(roster, hub, 1);
  std::printf("tree up: root on hub 0, one supervisor + worker per hub (%d)\n",
              hubs.size());
  AskEveryone(roster, hubs.size());

  std::printf("crash worker@hub%d: its supervisor restarts it on hub %d\n",
              last, last);
  (void)roster.starts[last].back().Tell(Crash{});
  AwaitStart(roster, last, 2);

  std::printf("kill hub%d_sup: the root (hub 0) restarts it on hub %d\n", last,
              last);
  absl::StatusOr<std::vector<evergreen::ChildInfo>> children =
      root->WhichChildren();
  if (!children.ok()) return false;
  for (const evergreen::ChildInfo& info : *children) {
    if (info.id == absl::StrCat("hub", last, "_sup")) info.child.Kill();
  }
  AwaitStart(roster, last, 3);
  AskEveryone(roster, hubs.size());

  absl::StatusOr<evergreen::ChildCounts> counts = root->CountChildren();
  if (counts.ok()) {
    std::printf("root: %d specs, %d active supervisors\n", counts->specs,
                counts->active);
  }
  root->Stop();
  const bool stopped = root->Join(absl::Seconds(10));
  std::printf("tree stopped across all hubs: %s\n", stopped ? "yes" : "no");
  return stopped;
}

}  // namespace

int main() {
  HubGroup hubs;  // one hub per core
  std::printf("%d hubs (one per core)\n", hubs.size());
  evergreen::AsyncResult<bool> done = hubs.Spawn(0, [&hubs] { return Drive(hubs); });
  const bool ok = done.Get();
  hubs.Stop();
  return ok ? 0 : 1;
}
