// ActorOptions: how SpawnActor (actors/actor.h) sets an actor up — its
// name, its mailbox bound and what a full mailbox does, its stack.
//
//   auto ref = SpawnActor<Worker>({.name = "worker", .mailbox_capacity = 1000});
//
// Its own header because the actor runtime (actors/internal/actor_cell.h)
// needs it below actor.h; users get it from actors/actor.h.
#ifndef EVERGREEN_ACTORS_ACTOR_OPTIONS_H_
#define EVERGREEN_ACTORS_ACTOR_OPTIONS_H_

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen {

struct ActorOptions {
  std::string name;
  // 0: unbounded. A full mailbox makes Tell fail with ResourceExhausted,
  // or (block_when_full) wait up to send_timeout for room.
  std::size_t mailbox_capacity = 0;
  bool block_when_full = false;
  absl::Duration send_timeout = absl::InfiniteDuration();
  std::size_t stack_size = kDefaultStackSize;
  // Fairness: after this many messages handled in a row (the mailbox never
  // ran dry), the actor yields to the hub before taking more, like CAF's
  // max_throughput. Must be > 0.
  std::size_t max_throughput = 64;
  // Hibernation (erlang:hibernate): whenever the mailbox runs dry, the
  // actor's greenlet ends and its stack goes back to the thread's stack
  // pool; the next message (or Stop, Kill, exit signal, ...) starts a new
  // greenlet from the pool to run the actor again. An idle hibernating
  // actor costs its cell only (a few hundred bytes) instead of a stack's
  // touched pages; each wake-up from idle costs a greenlet's start
  // (docs/design.md, "Hibernation"). Nothing else changes: handlers may
  // block as usual (the actor has a greenlet while one runs). The first
  // start, too, is deferred to the hub's next turn without a greenlet
  // until then. ActorBase::Hibernate() asks for one hibernation from a
  // handler of any actor.
  bool hibernate_when_idle = false;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_OPTIONS_H_
