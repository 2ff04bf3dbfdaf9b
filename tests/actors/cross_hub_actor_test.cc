// Actors across hubs (actors/actor_on_hub.h, B-M2): Tell/Ask between hubs
// of a HubGroup keep each sender's order, replies arrive on the caller's
// hub, links, monitors, joins and supervision cross hubs, and an actor
// whose hub stops fails Asks with Unavailable instead of hanging.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "actors/actor.h"
#include "actors/actor_on_hub.h"
#include "actors/supervisor.h"
#include "framework/async_result.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/hub_group.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"
#include "tests/testing/stop_actors.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

const absl::Duration kLong = absl::Seconds(30);

struct Numbered {
  int sender = 0;
  int seq = 0;
};
struct WhereAmI {};
struct Received {};
struct Block {};
struct Crash {};

class Recorder : public ActorBase {
 public:
  using Messages = std::tuple<Numbered, WhereAmI, Received, Block, Crash>;
  void Handle(Numbered m) { seen_[m.sender].push_back(m.seq); }
  Hub* Handle(WhereAmI) { return Hub::Current(); }
  std::map<int, std::vector<int>> Handle(Received) { return seen_; }
  void Handle(Block) { Sleep(absl::Hours(1)); }
  void Handle(Crash) { throw std::runtime_error("crash on purpose"); }

 private:
  std::map<int, std::vector<int>> seen_;
};

class CrossHubActorTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-M2: replies arrive on the caller's hub.
TEST_F(CrossHubActorTest, AskFromAnotherHubRunsThereAndRepliesHere) {
  HubGroup hubs({.threads = 2});
  absl::StatusOr<ActorRef<Recorder>> actor =
      SpawnActorOn<Recorder>(hubs, 1, {.name = "recorder"});
  ASSERT_TRUE(actor.ok()) << actor.status();
  // From the main thread's hub, with nothing else alive here: the pending
  // reply keeps this hub alive (no LoopExit) until it arrives.
  EXPECT_EQ(actor->Ask(WhereAmI{}).Get(), hubs.hub(1));
  // From a greenlet of hub 0: the reply wakes that greenlet on hub 0.
  AsyncResult<bool> asked = hubs.Spawn(0, [&hubs, ref = *actor] {
    AsyncResult<Hub*> reply = ref.Ask(WhereAmI{}, kLong);
    Hub* ran_on = reply.Get();
    return ran_on == hubs.hub(1) && Hub::Current() == hubs.hub(0);
  });
  EXPECT_TRUE(asked.Get(kLong));
  actor->Stop();
  EXPECT_TRUE(actor->Join(kLong));
  EXPECT_FALSE(actor->alive());
  EXPECT_EQ(actor->exit().reason, ExitReason::kShutdown);
  hubs.Stop();
}

// B-M2: per sender–receiver order is kept, with senders on several hubs.
TEST_F(CrossHubActorTest, EachSendersMessagesArriveInOrder) {
  constexpr int kPerSender = 2000;
  HubGroup hubs({.threads = 2});
  absl::StatusOr<ActorRef<Recorder>> actor =
      SpawnActorOn<Recorder>(hubs, 1, {});
  ASSERT_TRUE(actor.ok()) << actor.status();
  // Senders: a greenlet on hub 0, one on hub 1 (local), and this thread.
  std::vector<AsyncResult<absl::Status>> senders;
  for (int hub = 0; hub < 2; ++hub) {
    senders.push_back(hubs.Spawn(hub, [ref = *actor, hub] {
      for (int i = 0; i < kPerSender; ++i) {
        absl::Status sent = ref.Tell(Numbered{hub, i});
        if (!sent.ok()) return sent;
        if (i % 100 == 0) Sleep(absl::ZeroDuration());  // interleave
      }
      return absl::OkStatus();
    }));
  }
  for (int i = 0; i < kPerSender; ++i) {
    ASSERT_TRUE(actor->Tell(Numbered{2, i}).ok());
  }
  for (auto& sender : senders) EXPECT_TRUE(sender.Get(kLong).ok());
  // Each sender's last Tell precedes this Ask from it: wait for them all.
  for (int hub = 0; hub < 2; ++hub) {
    ASSERT_TRUE(hubs.Spawn(hub, [ref = *actor] {
                      return ref.Ask(Received{}).Get(kLong).size();
                    })
                    .Result()
                    .ok());
  }
  std::map<int, std::vector<int>> seen = actor->Ask(Received{}).Get(kLong);
  std::vector<int> expected(kPerSender);
  for (int i = 0; i < kPerSender; ++i) expected[i] = i;
  for (int sender = 0; sender < 3; ++sender) {
    EXPECT_EQ(seen[sender], expected) << "sender " << sender;
  }
  leak_check::StopActors({*actor});
  hubs.Stop();
}

// The inbox (a lock-free stack that the first sender of a batch posts a
// drain for) loses nothing and no drain: plain threads and two hubs tell
// an actor on a third hub, with the hubs' spin off (every drain post to a
// sleeping hub must wake it) and short pauses (so it sleeps often), each
// sender's messages in order; an Ask after them must be answered. A lost
// drain would leave messages in the inbox: the count would be short, or
// the Ask would time out (bounded), not hang.
TEST_F(CrossHubActorTest, ManySendersLoseNoMessagesAndNoWakeUps) {
  constexpr int kPerSender = 3000;
  HubGroup hubs({.threads = 3});
  for (AsyncResult<void>& set : hubs.SpawnOnEach([](int) {
         Hub::Current()->set_remote_spin(absl::ZeroDuration());
       })) {
    ASSERT_TRUE(set.Result(kLong).ok());
  }
  absl::StatusOr<ActorRef<Recorder>> actor =
      SpawnActorOn<Recorder>(hubs, 2, {});
  ASSERT_TRUE(actor.ok()) << actor.status();
  auto send = [ref = *actor](int sender) {
    for (int i = 0; i < kPerSender; ++i) {
      if (!ref.Tell(Numbered{sender, i}).ok()) return false;
      if (i % 97 == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
    return true;
  };
  std::vector<AsyncResult<bool>> on_hubs;
  for (int hub = 0; hub < 2; ++hub) {
    on_hubs.push_back(hubs.Spawn(hub, [send, hub] { return send(hub); }));
  }
  std::vector<std::thread> threads;
  std::atomic<int> thread_failures{0};
  for (int t = 2; t < 4; ++t) {
    threads.emplace_back([&send, &thread_failures, t] {
      if (!send(t)) thread_failures.fetch_add(1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (AsyncResult<bool>& sent : on_hubs) EXPECT_TRUE(sent.Get(kLong));
  EXPECT_EQ(thread_failures.load(), 0);
  // The hub senders' Tells precede their own Asks; the threads' precede
  // this one (they were joined): wait for every hub's view.
  for (int hub = 0; hub < 2; ++hub) {
    ASSERT_TRUE(hubs.Spawn(hub, [ref = *actor] {
                      return ref.Ask(Received{}).Get(kLong).size();
                    })
                    .Result(kLong)
                    .ok());
  }
  std::map<int, std::vector<int>> seen = actor->Ask(Received{}).Get(kLong);
  std::vector<int> expected(kPerSender);
  for (int i = 0; i < kPerSender; ++i) expected[i] = i;
  for (int sender = 0; sender < 4; ++sender) {
    EXPECT_EQ(seen[sender], expected) << "sender " << sender;
  }
  leak_check::StopActors({*actor});
  hubs.Stop();
}

// B-M2: an actor on a hub that is shutting down fails Asks with
// Unavailable, not a hang — those queued before and those sent after.
TEST_F(CrossHubActorTest, AsksToAnActorWhoseHubStopsFailUnavailable) {
  leak_check::ExpectLeftovers(
      "the actor's hub stops under it, busy: the behaviour under test");
  HubGroup hubs({.threads = 2, .stop_grace = absl::Milliseconds(1)});
  absl::StatusOr<ActorRef<Recorder>> actor =
      SpawnActorOn<Recorder>(hubs, 1, {});
  ASSERT_TRUE(actor.ok()) << actor.status();
  ASSERT_TRUE(actor->Tell(Block{}).ok());  // busy until its hub stops
  AsyncResult<Hub*> queued = actor->Ask(WhereAmI{});  // no timeout
  hubs.Stop();
  absl::StatusOr<Hub*> first = queued.Result(kLong);
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable)
      << first.status();
  absl::StatusOr<Hub*> later = actor->Ask(WhereAmI{}).Result(kLong);
  EXPECT_EQ(later.status().code(), absl::StatusCode::kUnavailable)
      << later.status();
  EXPECT_THAT(later.status().message(), HasSubstr("hub"));
  EXPECT_EQ(actor->Tell(Numbered{}).code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(actor->alive());
}

TEST_F(CrossHubActorTest, AskTimeoutRunsOnTheCallersHubAndAnsweredAsksLeaveNoTimer) {
  HubGroup hubs({.threads = 2});
  absl::StatusOr<ActorRef<Recorder>> actor =
      SpawnActorOn<Recorder>(hubs, 1, {});
  ASSERT_TRUE(actor.ok()) << actor.status();
  EXPECT_EQ(actor->Ask(WhereAmI{}, kLong).Get(kLong), hubs.hub(1));
  ASSERT_TRUE(WaitUntilAllBlocked());  // the cancelling link has run
  EXPECT_EQ(Hub::Current()->pending_calls(), 0u);  // B-D2 across hubs
  ASSERT_TRUE(actor->Tell(Block{}).ok());
  absl::StatusOr<Hub*> late =
      actor->Ask(WhereAmI{}, absl::Milliseconds(5)).Result();
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded)
      << late.status();
  actor->Kill();
  EXPECT_TRUE(actor->Join(kLong));
  EXPECT_EQ(actor->exit().reason, ExitReason::kKilled);
  hubs.Stop();
}

// An actor that traps exits and tells what it saw.
struct Watch {
  AnyActorRef target;
  bool link = false;
};
struct Seen {};

class Watcher : public ActorBase {
 public:
  using Messages = std::tuple<Watch, Seen>;
  void OnStart() override { TrapExit(true); }
  void Handle(Watch w) {
    if (w.link) {
      Link(w.target);
    } else {
      Monitor(w.target);
    }
  }
  std::vector<std::string> Handle(Seen) { return seen_; }

 protected:
  void OnExitSignal(const ExitSignal& signal) override {
    seen_.push_back("exit:" + signal.from.name() + ":" +
                    signal.exit.ToString().substr(0, 6));
    Notify();
  }
  void OnDown(const Down& down) override {
    seen_.push_back("down:" + down.actor.name() + ":" +
                    down.exit.ToString());
    Notify();
  }

 public:
  explicit Watcher(AsyncResult<void> two_seen) : two_seen_(two_seen) {}

 private:
  void Notify() {
    if (seen_.size() == 2) two_seen_.Set();  // to the test's hub
  }
  std::vector<std::string> seen_;
  AsyncResult<void> two_seen_;
};

TEST_F(CrossHubActorTest, LinksAndMonitorsReachAcrossHubs) {
  HubGroup hubs({.threads = 2});
  AsyncResult<void> two_seen;  // on this thread's hub
  absl::StatusOr<ActorRef<Watcher>> watcher =
      SpawnActorOn<Watcher>(hubs, 0, {.name = "watcher"}, two_seen);
  absl::StatusOr<ActorRef<Recorder>> linked =
      SpawnActorOn<Recorder>(hubs, 1, {.name = "linked"});
  absl::StatusOr<ActorRef<Recorder>> monitored =
      SpawnActorOn<Recorder>(hubs, 1, {.name = "monitored"});
  ASSERT_TRUE(watcher.ok() && linked.ok() && monitored.ok());
  // Asked, so that the link and monitor exist before the exits.
  ASSERT_TRUE(watcher->Ask(Watch{*linked, true}).Result(kLong).ok());
  ASSERT_TRUE(watcher->Ask(Watch{*monitored, false}).Result(kLong).ok());
  ASSERT_TRUE(linked->Tell(Crash{}).ok());
  EXPECT_TRUE(linked->Join(kLong));
  monitored->Stop();
  ASSERT_TRUE(two_seen.Result(kLong).ok());
  std::vector<std::string> seen = watcher->Ask(Seen{}).Get(kLong);
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("exit:linked:failed",
                                                    "down:monitored:shutdown"));
  // A link to an actor that already exited reports at once (noproc).
  ASSERT_TRUE(watcher->Ask(Watch{*linked, true}).Result(kLong).ok());
  leak_check::StopActors({*watcher, *monitored});
  hubs.Stop();
}

class Worker : public ActorBase {
 public:
  explicit Worker(AsyncResult<Hub*> started) : started_(started) {}
  void OnStart() override { started_.Set(Hub::Current()); }
  void Handle(Block) {}

 private:
  AsyncResult<Hub*> started_;
};

// A supervisor on hub 0 restarts its child on hub 1.
TEST_F(CrossHubActorTest, SupervisorRestartsAChildOnAnotherHub) {
  HubGroup hubs({.threads = 2});
  AsyncResult<Hub*> starts[2];  // on this thread's hub
  AsyncResult<bool> done = hubs.Spawn(0, [&hubs, &starts] {
    int started = 0;  // the start function runs on hub 0 only
    absl::StatusOr<Supervisor> sup = Supervisor::Start(
        {.strategy = Strategy::kOneForOne, .intensity = 5},
        {{.id = "worker",
          .start = [&hubs, &starts, &started]() -> absl::StatusOr<Child> {
            absl::StatusOr<ActorRef<Worker>> ref = SpawnActorOn<Worker>(
                hubs, 1, {.name = "worker"}, starts[started++ % 2]);
            if (!ref.ok()) return ref.status();
            return Child(*ref);
          }}});
    if (!sup.ok()) return false;
    if (starts[0].Get(kLong) != hubs.hub(1)) return false;
    absl::StatusOr<std::vector<ChildInfo>> children = sup->WhichChildren();
    if (!children.ok() || children->size() != 1) return false;
    Child first = (*children)[0].child;
    first.Kill();  // across hubs
    if (!first.Join(kLong)) return false;
    if (starts[1].Get(kLong) != hubs.hub(1)) return false;  // restarted
    children = sup->WhichChildren();
    if (!children.ok() || children->size() != 1) return false;
    Child second = (*children)[0].child;
    sup->Stop();
    if (!sup->Join(kLong)) return false;
    // The supervisor stopped its child on the other hub, gracefully.
    return second.Join(kLong) && !second.alive() &&
           second.exit().reason == ExitReason::kShutdown;
  });
  EXPECT_TRUE(done.Get(kLong));
  hubs.Stop();
}

}  // namespace
}  // namespace evergreen
