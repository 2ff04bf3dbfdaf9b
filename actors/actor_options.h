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
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_OPTIONS_H_
