// Deadlines through Ask and fair scheduling of actors: B-D3 (the handler
// runs under the caller's deadline) and B-D6 (a flooded actor, or a
// supervisor retrying a start that fails at once, lets others run).
#include <atomic>
#include <string>

#include "absl/time/clock.h"
#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "actors/supervisor.h"
#include "framework/deadline.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/stop_actors.h"

namespace evergreen {
namespace {

struct WhatDeadline {};
struct Nop {};
struct Block {};
struct WhenWoken {};
struct Nap {
  absl::Duration d;
};

class Probe : public ActorBase {
 public:
  absl::Time Handle(WhatDeadline) { return CurrentDeadline(); }
  void Handle(Nop) { ++handled; }
  // Waits on something that never comes: only a deadline ends it.
  bool Handle(Block) {
    const bool woken = Event().Wait(absl::Hours(1));
    woke_at = absl::Now();
    return woken;
  }
  absl::Time Handle(WhenWoken) { return woke_at; }
  int Handle(Nap m) {
    Sleep(m.d);  // a delay: not cut by the deadline
    return 1;
  }
  int handled = 0;
  absl::Time woke_at;
};

class ActorFairnessTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-D3: the deadline of an Ask is the handler's current deadline.
TEST_F(ActorFairnessTest, AskCarriesTheCallersDeadlineIntoTheHandler) {
  ActorRef<Probe> probe = SpawnActor<Probe>();
  EXPECT_EQ(probe.Ask(WhatDeadline{}).Get(), absl::InfiniteFuture());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  {
    DeadlineScope scope(deadline);
    EXPECT_EQ(probe.Ask(WhatDeadline{}, absl::Hours(1)).Get(), deadline);
  }
  // Its own timeout is the deadline when it is the nearer one.
  const absl::Time before = absl::Now();
  const absl::Time seen = probe.Ask(WhatDeadline{}, absl::Seconds(10)).Get();
  EXPECT_GE(seen, before + absl::Seconds(10));
  EXPECT_LE(seen, absl::Now() + absl::Seconds(10));
  // Outside an Ask, the actor has no deadline.
  ASSERT_TRUE(probe.Tell(Nop{}).ok());
  EXPECT_EQ(probe.Ask(WhatDeadline{}).Get(), absl::InfiniteFuture());
  leak_check::StopActors({probe});
}

// B-D3: the caller's wait for the reply ends at its deadline.
TEST_F(ActorFairnessTest, AskEndsAtTheCallersDeadline) {
  ActorRef<Probe> probe = SpawnActor<Probe>();
  const absl::Time start = absl::Now();
  const absl::StatusOr<int> status = WithDeadline(absl::Milliseconds(50), [&] {
    return absl::StatusOr<int>(probe.Ask(Nap{absl::Seconds(1)}).Get());
  });
  EXPECT_EQ(status.status().code(), absl::StatusCode::kDeadlineExceeded)
      << status.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(49));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(900));  // not the nap
  probe.Kill();
  EXPECT_TRUE(probe.Join(absl::Seconds(30)));
}

// B-D3: the handler's own waits end at the Ask's deadline.
TEST_F(ActorFairnessTest, TheHandlersWaitsEndAtTheAsksDeadline) {
  ActorRef<Probe> probe = SpawnActor<Probe>();
  // The deadline counts from the Ask, not from when the handler starts
  // (which a loaded machine may delay by milliseconds).
  const absl::Time asked = absl::Now();
  (void)probe.Ask(Block{}, absl::Milliseconds(50));
  const absl::Duration blocked =
      probe.Ask(WhenWoken{}).Get(absl::Seconds(30)) - asked;
  EXPECT_GE(blocked, absl::Milliseconds(49));
  EXPECT_LT(blocked, absl::Seconds(10));  // not its own hour
  leak_check::StopActors({probe});
}

// B-D3: a request whose deadline passed while queued is skipped.
TEST_F(ActorFairnessTest, AnExpiredRequestIsSkipped) {
  ActorRef<Probe> probe = SpawnActor<Probe>();
  AsyncResult<absl::Time> late;
  {
    DeadlineScope passed(absl::Now() - absl::Milliseconds(1));
    late = probe.Ask(WhatDeadline{});
  }
  EXPECT_FALSE(late.Wait(absl::Seconds(5)) && late.successful());
  leak_check::StopActors({probe});
}

// How long a Sleep(50 ms) elsewhere takes while `load` keeps the hub busy.
template <typename Load>
absl::Duration SleepUnder(Load load) {
  load();
  absl::Duration took;
  auto sleeper = Spawn([&] {
    const absl::Time start = absl::Now();
    Sleep(absl::Milliseconds(50));
    took = absl::Now() - start;
  });
  EXPECT_TRUE(sleeper.Join(absl::Seconds(60)));
  return took;
}

// B-D6: an actor whose mailbox never runs dry yields every max_throughput
// messages.
TEST_F(ActorFairnessTest, AFloodedActorLetsOthersRun) {
  ActorRef<Probe> probe =
      SpawnActor<Probe>(ActorOptions{.name = "flooded", .max_throughput = 64});
  // Keeps the mailbox full: each handled batch is refilled at once.
  std::atomic<bool> stop{false};
  auto feeder = Spawn([&] {
    for (int round = 0; round < 100000 && !stop; ++round) {
      for (int i = 0; i < 256; ++i) (void)probe.Tell(Nop{});
      Sleep(absl::ZeroDuration());
    }
  });
  const absl::Duration took = SleepUnder([] {});
  stop = true;
  ASSERT_TRUE(feeder.Join(absl::Seconds(30)));
  EXPECT_LT(took, absl::Milliseconds(150));
  probe.Kill();
  EXPECT_TRUE(probe.Join(absl::Seconds(30)));
}

// B-D6: before the budget, a supervisor retrying a start that fails at
// once starved its hub (2,000,000 retries; a 50 ms sleep took 2.2 s).
TEST_F(ActorFairnessTest, ASupervisorRetryingAFailingStartLetsOthersRun) {
  int starts = 0;
  ChildSpec spec{
      .id = "flaky",
      .start = [&starts]() -> absl::StatusOr<Child> {
        if (starts++ == 0) {
          return Child(Spawn([] { throw std::runtime_error("crash"); }));
        }
        return absl::UnavailableError("cannot start");  // at once
      }};
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      SupervisorFlags{.intensity = 1000000, .period = absl::Seconds(60)},
      {spec});
  ASSERT_TRUE(sup.ok()) << sup.status();
  const absl::Duration took = SleepUnder([] {});
  EXPECT_GT(starts, 2);  // it was retrying meanwhile
  EXPECT_LT(took, absl::Milliseconds(150));
  sup->Kill();
  EXPECT_TRUE(sup->Join(absl::Seconds(30)));
}

}  // namespace
}  // namespace evergreen
