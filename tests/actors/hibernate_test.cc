// B-AM1. Hibernation (ActorOptions::hibernate_when_idle, ActorBase::Hibernate):
// an idle actor gives its greenlet's stack back to the pool, and every
// way of reaching an actor — Tell, Ask, Call, Stop, Kill, links, monitors,
// supervisors, other hubs — behaves as it does for a stackful actor.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "actors/actor.h"
#include "actors/actor_dump.h"
#include "actors/actor_on_hub.h"
#include "actors/actor_ref.h"
#include "actors/supervisor.h"
#include "framework/async_result.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/hub_group.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "greenlet/raw_greenlet.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"
#include "tests/testing/stop_actors.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Duration kLong = absl::Seconds(30);

struct Add {
  int n = 1;
};
struct Get {};
struct Nap {
  absl::Duration for_how_long;
};
struct Crash {};
struct HibernateNow {};
struct WatchIt {
  AnyActorRef other;
};
struct LinkIt {
  AnyActorRef other;
};
struct GetSeen {};

// Records its life in `log` (shared: it outlives the actor).
class Sleeper : public ActorBase {
 public:
  using Messages = std::tuple<Add, Get, Crash>;
  explicit Sleeper(std::shared_ptr<std::vector<std::string>> log =
                       std::make_shared<std::vector<std::string>>())
      : log_(std::move(log)) {}
  ~Sleeper() override { log_->push_back("destroyed"); }

  void Handle(Add m) {
    sum_ += m.n;
    log_->push_back("add:" + std::to_string(m.n));
  }
  int Handle(Get) { return sum_; }
  int Handle(Nap m) {
    log_->push_back("nap");
    Sleep(m.for_how_long);  // a handler may block while it hibernates
    return sum_;
  }
  void Handle(Crash) { throw std::runtime_error("crash on purpose"); }
  void Handle(HibernateNow) { Hibernate(); }
  void Handle(WatchIt m) { Monitor(m.other); }
  void Handle(LinkIt m) {
    TrapExit(true);
    Link(m.other);
  }
  std::vector<std::string> Handle(GetSeen) { return seen_; }

 protected:
  void OnStart() override { log_->push_back("start"); }
  void OnStop(const Exit& exit) override {
    log_->push_back("stop:" + exit.ToString());
  }
  void OnDown(const Down& down) override {
    seen_.push_back("down:" + down.exit.ToString());
  }
  void OnExitSignal(const ExitSignal& signal) override {
    seen_.push_back("exit-signal:" + signal.exit.ToString());
  }

 private:
  std::shared_ptr<std::vector<std::string>> log_;
  std::vector<std::string> seen_;
  int sum_ = 0;
};

ActorOptions Hibernating(std::string name = "") {
  return ActorOptions{.name = std::move(name), .hibernate_when_idle = true};
}

// Hibernating after its start (a hibernating actor is born so, until the
// hub's next turn runs OnStart).
template <typename A>
bool Hibernates(const ActorRef<A>& ref) {
  return ref.cell()->hibernating() && ref.cell()->started();
}

template <typename A>
void WaitHibernating(const ActorRef<A>& ref) {
  ASSERT_TRUE(WaitUntil([&] { return Hibernates(ref); }, "it hibernates"));
}

class HibernateTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_F(HibernateTest, AnIdleActorHibernatesAndMessagesWakeItInOrder) {
  auto log = std::make_shared<std::vector<std::string>>();
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating(), log);
  WaitHibernating(actor);
  EXPECT_THAT(*log, ElementsAre("start"));
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(actor.Tell(Add{i}).ok());
  EXPECT_FALSE(Hibernates(actor));  // woken by the first
  EXPECT_EQ(actor.Ask(Get{}).Get(kLong), 15);
  WaitHibernating(actor);
  // Ask from a greenlet, Call from the main greenlet, each into a
  // hibernating actor.
  EXPECT_EQ(Spawn([actor] { return actor.Ask(Get{}).Get(kLong); }).Get(), 15);
  WaitHibernating(actor);
  absl::StatusOr<int> called = actor.Call(Add{10}, kLong).ok()
                                   ? actor.Call(Get{}, kLong)
                                   : absl::InternalError("Call failed");
  EXPECT_EQ(called.value_or(-1), 25);
  EXPECT_THAT(*log, ElementsAre("start", "add:1", "add:2", "add:3", "add:4",
                                "add:5", "add:10"));
  leak_check::StopActors({actor});
}

// The stack goes back to the pool: with N actors hibernating, the pool has
// as many stacks cached as before they were spawned; N stackful idle
// actors hold N of them.
TEST_F(HibernateTest, HibernatingActorsHoldNoStack) {
  constexpr int kActors = 50;
  StackPool& pool = ThisThreadStackPool();
  {  // Warm the pool: kActors + a few stacks cached.
    Event go;
    int waiting = 0;
    std::vector<Greenlet<void>> warm;
    for (int i = 0; i < kActors + 4; ++i) {
      warm.push_back(Spawn([go, &waiting]() mutable {
        ++waiting;
        go.Wait();
      }));
    }
    ASSERT_TRUE(WaitUntil([&] { return waiting == kActors + 4; },
                          "all hold a stack at once"));
    go.Set();
    for (auto& g : warm) g.Join();
  }
  Hub::Current()->Join();  // dead greenlets' releases
  const std::size_t cached = pool.cached();
  ASSERT_GE(cached, static_cast<std::size_t>(kActors));
  const std::size_t greenlets = Hub::Current()->stats().greenlets;

  std::vector<ActorRef<Sleeper>> sleepers;
  for (int i = 0; i < kActors; ++i) {
    sleepers.push_back(SpawnActor<Sleeper>(Hibernating()));
  }
  for (auto& s : sleepers) ASSERT_TRUE(s.Tell(Add{}).ok());
  for (auto& s : sleepers) WaitHibernating(s);
  Hub::Current()->Join(absl::Milliseconds(1));  // releases of the ended
  EXPECT_EQ(pool.cached(), cached);
  // Each still counts as one live greenlet of the hub (the leak check).
  EXPECT_EQ(Hub::Current()->stats().greenlets, greenlets + kActors);

  // The measure can tell: stackful idle actors hold kActors stacks.
  std::vector<ActorRef<Sleeper>> stackful;
  for (int i = 0; i < kActors; ++i) {
    stackful.push_back(SpawnActor<Sleeper>(ActorOptions{}));
  }
  for (auto& s : stackful) EXPECT_EQ(s.Ask(Get{}).Get(kLong), 0);
  EXPECT_EQ(pool.cached(), cached - kActors);
  leak_check::StopActors(sleepers);
  leak_check::StopActors(stackful);
}

TEST_F(HibernateTest, StopWhileHibernatingHandlesQueuedMailThenStops) {
  auto log = std::make_shared<std::vector<std::string>>();
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating(), log);
  WaitHibernating(actor);
  actor.Stop();
  ASSERT_TRUE(actor.Join(kLong));
  EXPECT_EQ(actor.exit().reason, ExitReason::kShutdown);
  EXPECT_THAT(*log, ElementsAre("start", "stop:shutdown", "destroyed"));

  auto log2 = std::make_shared<std::vector<std::string>>();
  ActorRef<Sleeper> second = SpawnActor<Sleeper>(Hibernating(), log2);
  WaitHibernating(second);
  ASSERT_TRUE(second.Tell(Add{1}).ok());
  ASSERT_TRUE(second.Tell(Add{2}).ok());
  second.Stop();  // after the queued mail
  ASSERT_TRUE(second.Join(kLong));
  EXPECT_THAT(*log2, ElementsAre("start", "add:1", "add:2", "stop:shutdown",
                                 "destroyed"));
}

TEST_F(HibernateTest, KillWhileHibernatingFailsQueuedAsksAndNotifiesWatchers) {
  auto log = std::make_shared<std::vector<std::string>>();
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating("victim"), log);
  ActorRef<Sleeper> monitor = SpawnActor<Sleeper>(ActorOptions{});
  ActorRef<Sleeper> linked = SpawnActor<Sleeper>(Hibernating());
  ASSERT_TRUE(monitor.Ask(WatchIt{AnyActorRef(actor)}).Result(kLong).ok());
  ASSERT_TRUE(linked.Ask(LinkIt{AnyActorRef(actor)}).Result(kLong).ok());
  WaitHibernating(actor);
  WaitHibernating(linked);
  // Queued (it wakes) and killed before its greenlet runs: the Ask fails
  // as a queued Ask of a killed actor does.
  AsyncResult<int> queued = actor.Ask(Get{});
  actor.Kill();
  absl::StatusOr<int> answer = queued.Result(kLong);
  EXPECT_FALSE(answer.ok());
  EXPECT_THAT(answer.status().message(), HasSubstr("exited before replying"));
  ASSERT_TRUE(actor.Join(kLong));
  EXPECT_EQ(actor.exit().reason, ExitReason::kKilled);
  // No OnStop for a kill; the object is destroyed.
  EXPECT_THAT(*log, ElementsAre("start", "destroyed"));
  EXPECT_TRUE(WaitUntil(
      [&] {
        return monitor.Ask(GetSeen{}).Get(kLong).size() == 1 &&
               linked.Ask(GetSeen{}).Get(kLong).size() == 1;
      },
      "the watchers heard"));
  EXPECT_THAT(monitor.Ask(GetSeen{}).Get(kLong), ElementsAre("down:killed"));
  EXPECT_THAT(linked.Ask(GetSeen{}).Get(kLong),
              ElementsAre("exit-signal:killed"));
  // Dead letters as for any exited actor.
  EXPECT_EQ(actor.Tell(Add{}).code(), absl::StatusCode::kNotFound);
  leak_check::StopActors({monitor, linked});
}

TEST_F(HibernateTest, KillWhileHibernatingWithNothingQueued) {
  auto log = std::make_shared<std::vector<std::string>>();
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating(), log);
  WaitHibernating(actor);
  actor.Kill();
  ASSERT_TRUE(actor.Join(kLong));
  EXPECT_EQ(actor.exit().reason, ExitReason::kKilled);
  EXPECT_THAT(*log, ElementsAre("start", "destroyed"));
}

TEST_F(HibernateTest, KilledBeforeItEverRanSkipsOnStart) {
  auto log = std::make_shared<std::vector<std::string>>();
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating(), log);
  actor.Kill();  // its first start is still pending
  ASSERT_TRUE(actor.Join(kLong));
  EXPECT_EQ(actor.exit().reason, ExitReason::kKilled);
  EXPECT_THAT(*log, ElementsAre("destroyed"));
}

TEST_F(HibernateTest, ALinkedFailureEndsAHibernatingActorThatDoesNotTrap) {
  auto log = std::make_shared<std::vector<std::string>>();
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating(), log);
  WaitHibernating(actor);
  // Linked from the crasher's side (the sleeper does not trap exits).
  struct Linker : ActorBase {
    void Handle(LinkIt m) { Link(m.other); }
    void Handle(Crash) { throw std::runtime_error("linked crash"); }
  };
  ActorRef<Linker> linker = SpawnActor<Linker>();
  ASSERT_TRUE(linker.Ask(LinkIt{AnyActorRef(actor)}).Result(kLong).ok());
  WaitHibernating(actor);
  ASSERT_TRUE(linker.Tell(Crash{}).ok());
  ASSERT_TRUE(actor.Join(kLong));
  EXPECT_EQ(actor.exit().reason, ExitReason::kFailed);
  EXPECT_THAT(actor.exit().ToString(), HasSubstr("linked crash"));
  // A failure (not a kill) runs OnStop.
  ASSERT_EQ(log->size(), 3u);
  EXPECT_THAT((*log)[1], HasSubstr("stop:failed"));
}

TEST_F(HibernateTest, AHandlerThatBlocksKeepsItsGreenletThenHibernates) {
  auto log = std::make_shared<std::vector<std::string>>();
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating(), log);
  WaitHibernating(actor);
  AsyncResult<int> napping = actor.Ask(Nap{absl::Milliseconds(20)});
  ASSERT_TRUE(WaitUntil([&] { return log->back() == "nap"; }, "it naps"));
  // Mail sent while it blocks waits in the mailbox, in order.
  ASSERT_TRUE(actor.Tell(Add{7}).ok());
  EXPECT_FALSE(Hibernates(actor));
  EXPECT_EQ(napping.Get(kLong), 0);
  EXPECT_EQ(actor.Call(Get{}, kLong).value_or(-1), 7);
  WaitHibernating(actor);
  leak_check::StopActors({actor});
}

TEST_F(HibernateTest, HibernateFromAHandlerOfAStackfulActor) {
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(ActorOptions{});
  EXPECT_EQ(actor.Ask(Get{}).Get(kLong), 0);
  EXPECT_FALSE(Hibernates(actor));
  ASSERT_TRUE(actor.Tell(HibernateNow{}).ok());
  WaitHibernating(actor);
  ASSERT_TRUE(actor.Tell(Add{3}).ok());
  EXPECT_EQ(actor.Ask(Get{}).Get(kLong), 3);
  // Once: it waits with its stack again afterwards.
  Hub::Current()->Join(absl::Milliseconds(5));
  EXPECT_FALSE(Hibernates(actor));
  // Join from another greenlet waits for the exit across hibernations.
  ASSERT_TRUE(actor.Tell(HibernateNow{}).ok());
  WaitHibernating(actor);
  Greenlet<bool> joiner = Spawn([actor] { return actor.Join(kLong); });
  Hub::Current()->Join(absl::Milliseconds(5));
  EXPECT_FALSE(joiner.ready());
  actor.Stop();
  EXPECT_TRUE(joiner.Get(kLong));
}

// A join that began before the actor ever hibernated waits for the exit
// too, not for the greenlet that Hibernate() ends.
TEST_F(HibernateTest, JoinBegunBeforeTheFirstHibernationWaitsForTheExit) {
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(ActorOptions{});
  EXPECT_EQ(actor.Ask(Get{}).Get(kLong), 0);
  Greenlet<bool> joiner = Spawn([actor] { return actor.Join(kLong); });
  Greenlet<bool> timed =
      Spawn([actor] { return actor.Join(absl::Milliseconds(200)); });
  ASSERT_TRUE(WaitUntil([&] { return joiner.started() && timed.started(); },
                        "the joins begin"));
  Hub::Current()->Join(absl::Milliseconds(5));  // both wait in Join
  ASSERT_TRUE(actor.Tell(HibernateNow{}).ok());
  WaitHibernating(actor);
  Hub::Current()->Join(absl::Milliseconds(5));
  EXPECT_FALSE(joiner.ready());  // the actor lives: no early return
  EXPECT_FALSE(timed.ready());
  EXPECT_FALSE(timed.Get(kLong));  // its timeout, 200 ms after it began
  actor.Stop();
  EXPECT_TRUE(joiner.Get(kLong));
}

TEST_F(HibernateTest, BoundedMailboxWithBlockedSenders) {
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(ActorOptions{
      .mailbox_capacity = 2, .block_when_full = true,
      .hibernate_when_idle = true});
  WaitHibernating(actor);
  // 20 senders into a mailbox of 2: they wait for room, in order.
  std::vector<Greenlet<absl::Status>> senders;
  for (int i = 0; i < 20; ++i) {
    senders.push_back(Spawn([actor] { return actor.Tell(Add{1}); }));
  }
  for (auto& s : senders) EXPECT_TRUE(s.Get(kLong).ok());
  EXPECT_EQ(actor.Ask(Get{}).Get(kLong), 20);
  WaitHibernating(actor);
  leak_check::StopActors({actor});
}

TEST_F(HibernateTest, DumpShowsHibernatingActors) {
  ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating("dormouse"));
  WaitHibernating(actor);
  EXPECT_THAT(DescribeActors(*Hub::Current()),
              HasSubstr("'dormouse' (evergreen::(anonymous namespace)::"
                        "Sleeper): mailbox 0, links [], monitored by [], "
                        "hibernating"));
  leak_check::StopActors({actor});
}

TEST_F(HibernateTest, SupervisorRestartsAHibernatingChild) {
  int started = 0;
  ChildSpec spec{.id = "dormant", .start = [&started]() -> absl::StatusOr<Child> {
                   ++started;
                   return Child(
                       AnyActorRef(SpawnActor<Sleeper>(Hibernating())));
                 }};
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      SupervisorFlags{.intensity = 10, .period = absl::Seconds(60)}, {spec});
  ASSERT_TRUE(sup.ok()) << sup.status();
  auto child_ref = [&] {
    absl::StatusOr<std::vector<ChildInfo>> children = sup->WhichChildren();
    if (!children.ok() || children->empty() ||
        !children->at(0).child.is_actor()) {
      return ActorRef<Sleeper>();  // restarting
    }
    return ActorRef<Sleeper>(children->at(0).child.actor().cell());
  };
  ActorRef<Sleeper> first = child_ref();
  WaitHibernating(first);
  first.Kill();  // while hibernating
  ASSERT_TRUE(first.Join(kLong));
  ASSERT_TRUE(WaitUntil(
      [&] {
        ActorRef<Sleeper> now = child_ref();
        return now && now != first && now.alive();
      },
      "restarted"));
  ActorRef<Sleeper> second = child_ref();
  WaitHibernating(second);
  ASSERT_TRUE(second.Tell(Crash{}).ok());  // woken to crash
  ASSERT_TRUE(second.Join(kLong));
  ASSERT_TRUE(WaitUntil(
      [&] {
        ActorRef<Sleeper> now = child_ref();
        return now && now != second && now.alive();
      },
      "restarted again"));
  EXPECT_EQ(started, 3);
  EXPECT_EQ(child_ref().Ask(Get{}).Get(kLong), 0);
  leak_check::StopActors({sup->ref()});
}

// The hub's destruction kills a hibernating actor, as it unwinds a
// waiting one: its object is destroyed and nothing leaks (ASan).
TEST_F(HibernateTest, HubDestructionKillsAHibernatingActor) {
  leak_check::ExpectLeftovers("the hub's destruction is under test");
  auto log = std::make_shared<std::vector<std::string>>();
  {
    ActorRef<Sleeper> actor = SpawnActor<Sleeper>(Hibernating(), log);
    WaitHibernating(actor);
  }  // no ref left: the hub holds it
  Hub::DestroyCurrent();
  EXPECT_THAT(*log, ElementsAre("start", "destroyed"));
}

// Across hubs: messages from another hub wake a hibernating actor through
// its inbox, in each sender's order; Ask replies come back; Stop and
// Kill sent from another hub reach it. (TSan: .ci/run runs it thrice.)
TEST_F(HibernateTest, CrossHubTellAskStopKillIntoAHibernatingActor) {
  constexpr int kPerSender = 500;
  HubGroup hubs({.threads = 2});
  absl::StatusOr<ActorRef<Sleeper>> actor =
      SpawnActorOn<Sleeper>(hubs, 1, Hibernating());
  ASSERT_TRUE(actor.ok()) << actor.status();
  auto hibernating_there = [&] {
    return hubs.Spawn(1, [ref = *actor] { return Hibernates(ref); })
        .Get(kLong);
  };
  ASSERT_TRUE(WaitUntil(hibernating_there, "it hibernates there"));
  std::vector<AsyncResult<absl::Status>> senders;
  for (int hub = 0; hub < 2; ++hub) {
    senders.push_back(hubs.Spawn(hub, [ref = *actor] {
      for (int i = 0; i < kPerSender; ++i) {
        absl::Status sent = ref.Tell(Add{1});
        if (!sent.ok()) return sent;
        if (i % 50 == 0) Sleep(absl::Milliseconds(1));  // let it hibernate
      }
      return absl::OkStatus();
    }));
  }
  for (int i = 0; i < kPerSender; ++i) {
    ASSERT_TRUE(actor->Tell(Add{1}).ok());
    if (i % 50 == 0) Sleep(absl::Milliseconds(1));
  }
  for (auto& sender : senders) EXPECT_TRUE(sender.Get(kLong).ok());
  for (int hub = 0; hub < 2; ++hub) {
    ASSERT_TRUE(hubs.Spawn(hub, [ref = *actor] {
                      return ref.Ask(Get{}).Get(kLong);
                    })
                    .Result()
                    .ok());
  }
  EXPECT_EQ(actor->Ask(Get{}).Get(kLong), 3 * kPerSender);
  ASSERT_TRUE(WaitUntil(hibernating_there, "it hibernates there"));
  // An Ask from here into the hibernating actor, then a cross-hub Stop.
  EXPECT_EQ(actor->Ask(Get{}, kLong).Get(), 3 * kPerSender);
  ASSERT_TRUE(WaitUntil(hibernating_there, "it hibernates there"));
  actor->Stop();
  ASSERT_TRUE(actor->Join(kLong));
  EXPECT_EQ(actor->exit().reason, ExitReason::kShutdown);

  // A cross-hub Kill of a hibernating actor.
  absl::StatusOr<ActorRef<Sleeper>> victim =
      SpawnActorOn<Sleeper>(hubs, 1, Hibernating());
  ASSERT_TRUE(victim.ok()) << victim.status();
  ASSERT_TRUE(WaitUntil(
      [&] {
        return hubs.Spawn(1, [ref = *victim] { return Hibernates(ref); })
            .Get(kLong);
      },
      "the victim hibernates"));
  victim->Kill();
  ASSERT_TRUE(victim->Join(kLong));
  EXPECT_EQ(victim->exit().reason, ExitReason::kKilled);
  hubs.Stop();
}

}  // namespace
}  // namespace evergreen
