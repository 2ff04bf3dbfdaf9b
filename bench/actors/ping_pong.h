// The request/reply pair that the Ask benchmarks share: a pinger asks a
// ponger for n + 1 and waits for the reply before asking again, n times
// per Run. Evergreen's side asks with Ask(...).Get() inside the pinger's
// handler; CAF's with request(...).then(...) continuations, with the
// timeout the benchmark chooses (caf::infinite for none).
//
// And CAF's cheapest round trip, the plain send ping-pong (CafSendPinger,
// CafSendPonger): two asynchronous sends, no request id, no response
// handler, no timeout bookkeeping; the pinger counts pongs in its state.
#ifndef EVERGREEN_BENCH_ACTORS_PING_PONG_H_
#define EVERGREEN_BENCH_ACTORS_PING_PONG_H_

#include <cstdint>
#include <utility>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "bench/actors/support.h"

namespace evergreen::bench {

struct Ping {
  std::int64_t n;
};

class Ponger : public ActorBase {
 public:
  std::int64_t Handle(Ping p) { return p.n + 1; }
};

class Pinger : public ActorBase {
 public:
  explicit Pinger(ActorRef<Ponger> ponger) : ponger_(std::move(ponger)) {}
  void Handle(Run run) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < run.n; ++i) n = ponger_.Ask(Ping{n}).Get();
    if (n != run.n) Fail("wrong pong");
  }

 private:
  ActorRef<Ponger> ponger_;
};

// The same with Call(Ping{n}), Ask's blocking form (the reply lands in a
// slot on the pinger's stack, no future).
class CallPinger : public ActorBase {
 public:
  explicit CallPinger(ActorRef<Ponger> ponger) : ponger_(std::move(ponger)) {}
  void Handle(Run run) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < run.n; ++i) n = *ponger_.Call(Ping{n});
    if (n != run.n) Fail("wrong pong");
  }

 private:
  ActorRef<Ponger> ponger_;
};

inline caf::behavior CafPonger() {
  return {[](ping_atom, std::int64_t n) { return n + 1; }};
}

struct CafPingerState {
  CafPingerState() = default;  // not an aggregate: see support.h
  caf::actor ponger;
  caf::duration timeout;
  caf::response_promise done;
};
using CafPingerActor = caf::stateful_actor<CafPingerState>;

// One request; its reply sends the next until `left` runs out.
inline void CafPingNext(CafPingerActor* self, std::int64_t n,
                        std::int64_t left) {
  if (left == 0) {
    self->state.done.deliver(done_atom::value);
    return;
  }
  self->request(self->state.ponger, self->state.timeout, ping_atom::value, n)
      .then([self, n, left](std::int64_t reply) {
        if (reply != n + 1) Fail("wrong pong");
        CafPingNext(self, reply, left - 1);
      });
}

// Spawn with (ponger, timeout); a Run{n} message answers done after n
// round trips.
inline caf::behavior CafPinger(CafPingerActor* self, caf::actor ponger,
                               caf::duration timeout) {
  self->state.ponger = std::move(ponger);
  self->state.timeout = timeout;
  return {[self](run_atom, std::int64_t n) {
    self->state.done = self->make_response_promise();
    CafPingNext(self, 0, n);
  }};
}

// Plain send ping-pong, CAF's floor for a round trip: the ponger answers
// (ping, n) with an ordinary send of (pong, n + 1) to whoever sent it.
inline caf::behavior CafSendPonger(caf::event_based_actor* self) {
  return {[self](ping_atom, std::int64_t n) {
    self->send(caf::actor_cast<caf::actor>(self->current_sender()),
               pong_atom::value, n + 1);
  }};
}

struct CafSendPingerState {
  CafSendPingerState() = default;  // not an aggregate: see support.h
  caf::actor ponger;
  std::int64_t rounds = 0;
  std::int64_t left = 0;
  caf::response_promise done;
};
using CafSendPingerActor = caf::stateful_actor<CafSendPingerState>;

// Spawn with the ponger; a Run{n} message (run_atom, n) answers done after
// n round trips, each a (ping, n) send and the (pong, n + 1) send back.
inline caf::behavior CafSendPinger(CafSendPingerActor* self,
                                   caf::actor ponger) {
  self->state.ponger = std::move(ponger);
  return {
      [self](run_atom, std::int64_t n) {
        self->state.done = self->make_response_promise();
        self->state.rounds = n;
        self->state.left = n;
        self->send(self->state.ponger, ping_atom::value, std::int64_t{0});
      },
      [self](pong_atom, std::int64_t n) {
        if (--self->state.left == 0) {
          if (n != self->state.rounds) Fail("wrong pong");
          self->state.done.deliver(done_atom::value);
          return;
        }
        self->send(self->state.ponger, ping_atom::value, n);
      },
  };
}

}  // namespace evergreen::bench

#endif  // EVERGREEN_BENCH_ACTORS_PING_PONG_H_
