// SpawnActorOn: spawns an actor on a chosen hub of a HubGroup, so that
// actors spread over every core while each one's state stays on one thread.
//
//   evergreen::HubGroup hubs;                         // one hub per core
//   absl::StatusOr<evergreen::ActorRef<Counter>> counter =
//       evergreen::SpawnActorOn<Counter>(hubs, 1, {.name = "counter"});
//   (void)counter->Tell(Increment{2});                // from any hub
//   int n = counter->Ask(GetCount{}).Get();           // reply on this hub
//   // (compiled in tests/actors/cross_hub_actor_test.cc)
//
// Across hubs (B-M2): Tell and Ask go through the actor's inbox (an MPSC
// queue) and its hub's ev_async, one wake-up per batch; each sender's
// messages keep their order; replies, Ask timers and exit observers run on
// the caller's hub; links, monitors and supervisors work across hubs. An
// actor whose hub is stopping fails the Asks queued for it, and those sent
// afterwards, with Unavailable, never leaving one pending. The actor is
// unwound when its hub stops (HubGroup::Stop).
//
// Blocks the calling greenlet until the actor is spawned (OnStart runs
// right after, on its hub). Errors: OutOfRange/Unavailable as
// HubGroup::Spawn (bad index, stopped group). `args` are copied.
#ifndef EVERGREEN_ACTORS_ACTOR_ON_HUB_H_
#define EVERGREEN_ACTORS_ACTOR_ON_HUB_H_

#include <utility>

#include "absl/status/statusor.h"
#include "actors/actor.h"
#include "framework/hub_group.h"

namespace evergreen {

template <typename A, typename... Args>
absl::StatusOr<ActorRef<A>> SpawnActorOn(HubGroup& hubs, int hub,
                                         ActorOptions options, Args... args) {
  return hubs
      .Spawn(hub,
             [options = std::move(options), args...]() mutable {
               return SpawnActor<A>(std::move(options), std::move(args)...);
             })
      .Result();
}

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_ON_HUB_H_
