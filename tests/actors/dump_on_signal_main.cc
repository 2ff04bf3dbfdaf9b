// A program for dump_on_signal_test (B-OS4): a supervision tree whose
// worker crashed once and was restarted, an actor on a second hub that
// monitors the root, and the live dump on SIGUSR1. Prints "ready" once
// all is in place; exits 0 on SIGTERM.
#include <signal.h>

#include <cstdio>

#include "actors/actor.h"
#include "actors/actor_on_hub.h"
#include "actors/supervisor.h"
#include "framework/dump.h"
#include "framework/hub.h"
#include "framework/hub_group.h"
#include "framework/keep_alive.h"
#include "framework/signals.h"
#include "tests/actors/dump_probe.h"

namespace {

using evergreen::ActorRef;
using evergreen::Child;
using evergreen::SpawnActor;
using evergreen::Strategy;
using evergreen::Supervisor;
using evergreen::testing::Probe;

int Fail(const char* what) {
  std::fprintf(stderr, "dump_on_signal_main: %s\n", what);
  return 1;
}

int Run(evergreen::HubGroup& hubs) {
  const absl::Duration kLong = absl::Seconds(30);
  evergreen::testing::StartLog workers(2);
  absl::StatusOr<Supervisor> root = Supervisor::Start(
      {.strategy = Strategy::kOneForOne, .intensity = 3,
       .period = absl::Hours(1)},
      {{.id = "worker",
        .start = [&workers]() -> absl::StatusOr<Child> {
          return Child(SpawnActor<Probe>({.name = "worker"}, &workers));
        }},
       Supervisor::Spec("pool", {.strategy = Strategy::kRestForOne},
                        {{.id = "member",
                          .start = []() -> absl::StatusOr<Child> {
                            return Child(SpawnActor<Probe>({.name = "member"}));
                          }}})},
      {.name = "root"});
  if (!root.ok()) return Fail("the tree did not start");
  evergreen::HubKeepAlive alive;
  if (!workers.started[0].Wait(kLong)) return Fail("no first start");
  (void)ActorRef<Probe>(workers.Ref(0).cell()).Tell(evergreen::testing::Crash{});
  if (!workers.started[1].Wait(kLong)) return Fail("no restart");
  absl::StatusOr<ActorRef<Probe>> far =
      evergreen::SpawnActorOn<Probe>(hubs, 0, {.name = "far"});
  if (!far.ok()) return Fail("no actor on the second hub");
  far->Ask(evergreen::testing::Watch{root->ref()}).Get();

  absl::StatusOr<evergreen::SignalWatch> dump =
      // Generous: a sanitizer build on a loaded machine symbolises slowly.
      evergreen::DumpOnSignal(SIGUSR1, absl::Seconds(20));
  if (!dump.ok()) return Fail("DumpOnSignal failed");
  std::printf("ready\n");
  std::fflush(stdout);
  if (!evergreen::WaitSignal({SIGTERM}, absl::Seconds(60)).ok()) {
    return Fail("no SIGTERM within 60s");
  }
  far->Stop();
  root->Stop();
  return root->Join(kLong) && far->Join(kLong) ? 0 : Fail("did not stop");
}

}  // namespace

int main() {
  evergreen::HubGroup hubs({.threads = 1});
  const int code = Run(hubs);
  hubs.Stop();
  evergreen::Hub::DestroyCurrent();
  return code;
}
