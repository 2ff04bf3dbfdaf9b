// The end of a test that spawned actors: stop them and wait until they are
// gone, so the leak check (leak_check.h) finds nothing the test started.
// Actors, like greenlets, live until they are stopped; nothing stops them
// when the refs go (Erlang's processes do not die with their pids), and a
// hub-wide "stop everything" would race supervisors, which stop their
// children themselves, in order. So a test stops the roots it started:
//
//   ActorRef<Counter> counter = SpawnActor<Counter>();
//   ...
//   leak_check::StopActors({counter});     // or a vector of refs
//
// Thread affinity: the actors' hub thread. Blocks until they have exited.
#ifndef EVERGREEN_TESTS_TESTING_STOP_ACTORS_H_
#define EVERGREEN_TESTS_TESTING_STOP_ACTORS_H_

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "actors/any_actor_ref.h"
#include "framework/event.h"
#include "gtest/gtest.h"

namespace evergreen::leak_check {

// Stops each actor gracefully (ActorRef::Stop: kShutdown once what is
// queued before is handled) and waits until every one has exited and its
// exit observers (a registry's release, a supervisor's notice, monitors)
// have run: ActorRef::Join may return while those are still queued on the
// hub. Ours is added last, so it runs after the others of the same exit.
// An actor still alive after `limit` fails the test.
template <typename Refs>
void StopActors(const Refs& refs, absl::Duration limit = absl::Seconds(30)) {
  auto remaining = std::make_shared<std::size_t>(1);  // 1: until all added
  Event all_observed;
  auto observed = [remaining, all_observed]() mutable {
    if (--*remaining == 0) all_observed.Set();
  };
  for (const AnyActorRef& ref : refs) {
    if (!ref) continue;
    ++*remaining;
    ref.cell()->AddExitObserver(
        [observed](const Exit&) mutable { observed(); });
  }
  observed();
  for (const AnyActorRef& ref : refs) {
    if (ref) ref.Stop();
  }
  EXPECT_TRUE(all_observed.Wait(limit))
      << *remaining << " actor(s) still running after " << limit;
}

inline void StopActors(std::initializer_list<AnyActorRef> refs,
                       absl::Duration limit = absl::Seconds(30)) {
  StopActors<std::initializer_list<AnyActorRef>>(refs, limit);
}

}  // namespace evergreen::leak_check

#endif  // EVERGREEN_TESTS_TESTING_STOP_ACTORS_H_
