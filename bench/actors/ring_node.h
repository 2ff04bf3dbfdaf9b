// The Savina ThreadRing node: passes a token with a hop count to the next
// node until the count reaches zero, then sets `done`. Shared by
// thread_ring_bench (against CAF) and op_profile (per-hop costs).
// Thread affinity: one hub, like every actor.
#ifndef EVERGREEN_BENCH_ACTORS_RING_NODE_H_
#define EVERGREEN_BENCH_ACTORS_RING_NODE_H_

#include <cstdint>
#include <memory>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "actors/any_actor_ref.h"
#include "framework/event.h"

namespace evergreen::bench {

struct Token {
  std::int64_t hops;
};

struct SetNext {
  AnyActorRef next;
};

class RingNode : public ActorBase {
 public:
  explicit RingNode(Event* done) : done_(done) {}
  void Handle(SetNext m) {
    next_ = std::make_unique<ActorRef<RingNode>>(m.next.cell());
  }
  void Handle(Token token) {
    if (token.hops == 0) {
      done_->Set();
    } else {
      (void)next_->Tell(Token{token.hops - 1});
    }
  }

 private:
  Event* done_;
  // Behind a pointer: ActorRef<A> cannot be a member of A itself, because
  // declaring ActorRef<A>::Ask needs A complete.
  std::unique_ptr<ActorRef<RingNode>> next_;
};

}  // namespace evergreen::bench

#endif  // EVERGREEN_BENCH_ACTORS_RING_NODE_H_
