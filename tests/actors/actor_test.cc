// Actors: Tell/Ask, life cycle, exit reasons, links, monitors, dead letters.
#include "actors/actor.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "actors/actor_ref.h"
#include "actors/dead_letters.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/stop_actors.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

struct Increment {
  int by = 1;
};
struct GetCount {};
struct Boom {};
struct SlowGet {
  absl::Duration delay;
};
struct StopSelf {};
struct Unhandled {};

class Counter : public ActorBase {
 public:
  using Messages = std::tuple<Increment, GetCount, Boom>;
  explicit Counter(std::vector<std::string>* log = nullptr) : log_(log) {}

  void Handle(Increment m) { count_ += m.by; }
  int Handle(GetCount) { return count_; }
  void Handle(Boom) { throw std::runtime_error("boom"); }
  int Handle(SlowGet m) {
    Sleep(m.delay);
    return count_;
  }
  void Handle(StopSelf) { Stop(); }

 protected:
  void OnStart() override {
    if (log_ != nullptr) log_->push_back("start");
  }
  void OnStop(const Exit& exit) override {
    if (log_ != nullptr) log_->push_back("stop:" + exit.ToString());
  }

 private:
  std::vector<std::string>* log_;
  int count_ = 0;
};

class ActorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetDeadLetterHandler([this](const DeadLetter& d) {
      dead_letters_.push_back(d.message + "->" + d.actor + ": " +
                              std::string(d.why.message()));
    });
  }
  void TearDown() override { Hub::DestroyCurrent(); }
  std::vector<std::string> dead_letters_;
};

TEST_F(ActorTest, TellThenAskSeesMessagesInOrder) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(counter.Tell(Increment{i}).ok());
  EXPECT_EQ(counter.Ask(GetCount{}).Get(), 45);
  leak_check::StopActors({counter});
}

TEST_F(ActorTest, LifeCycleHooksRunInOrder) {
  std::vector<std::string> log;
  ActorRef<Counter> counter = SpawnActor<Counter>(ActorOptions{}, &log);
  ASSERT_TRUE(counter.Tell(Increment{}).ok());
  counter.Stop();
  EXPECT_TRUE(counter.Join(absl::Seconds(5)));
  EXPECT_EQ(log, (std::vector<std::string>{"start", "stop:shutdown"}));
  EXPECT_EQ(counter.exit().reason, ExitReason::kShutdown);
}

TEST_F(ActorTest, StopFromInsideExitsNormally) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(counter.Tell(StopSelf{}).ok());
  counter.Join();
  EXPECT_EQ(counter.exit().reason, ExitReason::kNormal);
  EXPECT_FALSE(counter.exit().abnormal());
}

TEST_F(ActorTest, KillExitsWithKilled) {
  std::vector<std::string> log;
  ActorRef<Counter> counter = SpawnActor<Counter>(ActorOptions{}, &log);
  ASSERT_TRUE(counter.Tell(SlowGet{absl::Hours(1)}).ok());
  ASSERT_TRUE(WaitUntilAllBlocked());  // the handler is running
  counter.Kill();
  counter.Join();
  EXPECT_EQ(counter.exit().reason, ExitReason::kKilled);
  EXPECT_EQ(log, (std::vector<std::string>{"start"}));  // no OnStop on kill
}

TEST_F(ActorTest, HandlerExceptionFailsTheActorAndTheAsk) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  AsyncResult<void> r = counter.Ask(Boom{});
  EXPECT_THROW(r.Get(), std::runtime_error);
  counter.Join();
  EXPECT_EQ(counter.exit().reason, ExitReason::kFailed);
  EXPECT_THAT(counter.exit().ToString(), HasSubstr("boom"));
}

TEST_F(ActorTest, SendingToADeadActorFailsWithAStatusAndADeadLetter) {
  ActorRef<Counter> counter = SpawnActor<Counter>({.name = "gone"});
  counter.Kill();
  counter.Join();
  absl::Status s = counter.Tell(Increment{});
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("gone"));
  ASSERT_EQ(dead_letters_.size(), 1u);
  EXPECT_THAT(dead_letters_[0], HasSubstr("Increment->gone"));
  AsyncResult<int> r = counter.Ask(GetCount{});
  try {
    r.Get();
    FAIL();
  } catch (const StatusError& e) {
    EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound);
  }
}

TEST_F(ActorTest, QueuedAsksFailWhenTheActorExits) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(counter.Tell(SlowGet{absl::Hours(1)}).ok());
  AsyncResult<int> queued = counter.Ask(GetCount{});
  ASSERT_TRUE(WaitUntilAllBlocked());  // the slow handler is running
  counter.Kill();
  EXPECT_THROW(queued.Get(absl::Seconds(5)), StatusError);
}

TEST_F(ActorTest, AskToAnActorKilledMidRequestFailsWithUnavailable) {
  // The kill unwinds the handler; the asker must get an error, not the
  // actor's GreenletExit (which would unwind the asker as if killed).
  ActorRef<Counter> counter = SpawnActor<Counter>();
  AsyncResult<int> reply = counter.Ask(SlowGet{absl::Hours(1)});
  ASSERT_TRUE(WaitUntilAllBlocked());  // the handler is running
  counter.Kill();
  try {
    reply.Get(absl::Seconds(5));
    FAIL() << "no error";
  } catch (const StatusError& e) {
    EXPECT_EQ(e.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(e.status().message(), HasSubstr("killed"));
  }
}

TEST_F(ActorTest, AskDeadlinePassesAndTheExpiredRequestIsSkipped) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(counter.Tell(SlowGet{absl::Milliseconds(30)}).ok());
  AsyncResult<int> late = counter.Ask(GetCount{}, absl::Milliseconds(5));
  EXPECT_THROW(late.Get(), TimeoutError);
  EXPECT_EQ(counter.Ask(GetCount{}).Get(), 0);  // still serving
  leak_check::StopActors({counter});
}

// B-D1: Ask's non-throwing path, one line per call, every outcome a Status.
TEST_F(ActorTest, AskResultNeverThrows) {
  ActorRef<Counter> counter = SpawnActor<Counter>({.name = "results"});
  ASSERT_TRUE(counter.Tell(Increment{3}).ok());
  EXPECT_EQ(*counter.Ask(GetCount{}, absl::Seconds(10)).Result(), 3);
  ASSERT_TRUE(counter.Tell(SlowGet{absl::Milliseconds(30)}).ok());
  const absl::Status late =
      counter.Ask(GetCount{}, absl::Milliseconds(5)).Result().status();
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(late.message(), HasSubstr("GetCount"));  // names the Ask
  EXPECT_EQ(counter.Ask(Boom{}).Result(), absl::UnknownError("boom"));
  counter.Join();
  const absl::Status dead = counter.Ask(GetCount{}).Result().status();
  EXPECT_EQ(dead.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(dead.message(), HasSubstr("results"));
}

// B-D2: a timed Ask answered in time cancels its timer; 100,000 of them
// leave nothing that holds the loop.
TEST_F(ActorTest, TimedAsksAnsweredInTimeLeaveNoTimerBehind) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  constexpr int kAsks = 100'000;
  constexpr int kInFlight = 1'000;
  std::vector<AsyncResult<int>> replies;
  replies.reserve(kInFlight);
  for (int sent = 0; sent < kAsks; sent += kInFlight) {
    for (int i = 0; i < kInFlight; ++i) {
      replies.push_back(counter.Ask(GetCount{}, absl::Seconds(60)));
    }
    EXPECT_EQ(Hub::Current()->pending_calls(), static_cast<size_t>(kInFlight));
    for (AsyncResult<int>& reply : replies) ASSERT_TRUE(reply.Result().ok());
    replies.clear();
  }
  EXPECT_EQ(Hub::Current()->pending_calls(), 0u);
  const absl::Time start = absl::Now();
  EXPECT_TRUE(Hub::Current()->Join(absl::Seconds(120)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  leak_check::StopActors({counter});
}

// B-D2: an Ask that dies unanswered (the actor exits with it queued) drops
// its timer too.
TEST_F(ActorTest, TimedAskDroppedByAnExitingActorCancelsItsTimer) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(counter.Tell(SlowGet{absl::Hours(1)}).ok());
  AsyncResult<int> queued = counter.Ask(GetCount{}, absl::Seconds(60));
  ASSERT_TRUE(WaitUntilAllBlocked());  // the slow handler is running
  EXPECT_EQ(Hub::Current()->pending_calls(), 1u);
  counter.Kill();
  EXPECT_EQ(queued.Result().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Hub::Current()->pending_calls(), 0u);
}

TEST_F(ActorTest, FullBoundedMailboxRefusesWithResourceExhausted) {
  ActorRef<Counter> counter =
      SpawnActor<Counter>({.name = "small", .mailbox_capacity = 2});
  ASSERT_TRUE(counter.Tell(SlowGet{absl::Milliseconds(20)}).ok());
  ASSERT_TRUE(WaitUntilAllBlocked());  // it is busy with the slow one
  ASSERT_TRUE(counter.Tell(Increment{}).ok());
  ASSERT_TRUE(counter.Tell(Increment{}).ok());
  absl::Status full = counter.Tell(Increment{});
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("small"));
  ASSERT_TRUE(WaitUntil([&] { return counter.mailbox_size() == 0; },
                        "the mailbox drained"));
  EXPECT_EQ(counter.Ask(GetCount{}).Get(), 2);  // nothing else lost
  leak_check::StopActors({counter});
}

TEST_F(ActorTest, BlockingMailboxWaitsForRoom) {
  ActorRef<Counter> counter = SpawnActor<Counter>(
      {.mailbox_capacity = 1, .block_when_full = true});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(counter.Tell(Increment{}).ok());
  EXPECT_EQ(counter.Ask(GetCount{}).Get(), 20);
  leak_check::StopActors({counter});
}

TEST_F(ActorTest, UntypedRefDeliversListedTypesAndRefusesOthers) {
  AnyActorRef any = SpawnActor<Counter>({.name = "typed"});
  ASSERT_TRUE(any.TellAny(Increment{5}).ok());
  absl::Status bad = any.TellAny(std::string("hello"));
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("does not handle"));
  EXPECT_EQ(dead_letters_.size(), 1u);
  leak_check::StopActors({any});
}

class Watcher : public ActorBase {
 public:
  struct Watch {
    AnyActorRef who;
  };
  struct GetDowns {};
  void Handle(Watch w) { Monitor(w.who); }
  std::vector<std::string> Handle(GetDowns) { return downs_; }

 protected:
  void OnDown(const Down& down) override {
    downs_.push_back(down.actor.name() + ":" + down.exit.ToString());
  }

 private:
  std::vector<std::string> downs_;
};

TEST_F(ActorTest, MonitorReceivesDownWithTheExitReason) {
  ActorRef<Watcher> watcher = SpawnActor<Watcher>();
  ActorRef<Counter> a = SpawnActor<Counter>({.name = "a"});
  ActorRef<Counter> b = SpawnActor<Counter>({.name = "b"});
  ASSERT_TRUE(watcher.Tell(Watcher::Watch{a}).ok());
  ASSERT_TRUE(watcher.Tell(Watcher::Watch{b}).ok());
  watcher.Ask(Watcher::GetDowns{}).Get();  // monitors are in place
  ASSERT_TRUE(a.Tell(Boom{}).ok());
  b.Stop();
  a.Join();
  b.Join();
  // The exit observers (monitors' DOWN messages) run after the joins.
  ASSERT_TRUE(WaitUntilAllBlocked());
  std::vector<std::string> downs = watcher.Ask(Watcher::GetDowns{}).Get();
  EXPECT_THAT(downs, ::testing::UnorderedElementsAre("a:failed: boom",
                                                     "b:shutdown"));
  leak_check::StopActors({watcher});
}

class Linker : public ActorBase {
 public:
  struct LinkTo {
    AnyActorRef other;
  };
  struct Trap {};
  struct GetSignals {};
  void Handle(LinkTo m) { Link(m.other); }
  void Handle(Trap) { TrapExit(true); }
  std::vector<std::string> Handle(GetSignals) { return signals_; }

 protected:
  void OnExitSignal(const ExitSignal& s) override {
    signals_.push_back(s.from.name() + ":" + s.exit.ToString());
  }

 private:
  std::vector<std::string> signals_;
};

TEST_F(ActorTest, LinkPropagatesAnAbnormalExit) {
  ActorRef<Linker> linker = SpawnActor<Linker>({.name = "linker"});
  ActorRef<Counter> worker = SpawnActor<Counter>({.name = "worker"});
  linker.Ask(Linker::LinkTo{worker}).Get();
  ASSERT_TRUE(worker.Tell(Boom{}).ok());
  EXPECT_TRUE(linker.Join(absl::Seconds(5)));
  EXPECT_EQ(linker.exit().reason, ExitReason::kFailed);
  EXPECT_THAT(linker.exit().ToString(), HasSubstr("worker"));
}

TEST_F(ActorTest, LinkDoesNotPropagateANormalExit) {
  ActorRef<Linker> linker = SpawnActor<Linker>();
  ActorRef<Counter> worker = SpawnActor<Counter>();
  linker.Ask(Linker::LinkTo{worker}).Get();
  worker.Stop();
  worker.Join();
  ASSERT_TRUE(WaitUntilAllBlocked());  // the link's exit signal is handled
  EXPECT_TRUE(linker.alive());
  EXPECT_TRUE(linker.Ask(Linker::GetSignals{}).Get().empty());
  leak_check::StopActors({linker});
}

TEST_F(ActorTest, TrappedExitArrivesAsAMessage) {
  ActorRef<Linker> linker = SpawnActor<Linker>();
  ActorRef<Counter> worker = SpawnActor<Counter>({.name = "w"});
  ASSERT_TRUE(linker.Tell(Linker::Trap{}).ok());
  linker.Ask(Linker::LinkTo{worker}).Get();
  ASSERT_TRUE(worker.Tell(Boom{}).ok());
  worker.Join();
  ASSERT_TRUE(WaitUntilAllBlocked());  // the trapped exit is handled
  EXPECT_TRUE(linker.alive());
  EXPECT_THAT(linker.Ask(Linker::GetSignals{}).Get(),
              ::testing::ElementsAre("w:failed: boom"));
  leak_check::StopActors({linker});
}

TEST_F(ActorTest, RefStaysSafeAfterTheActorIsGone) {
  AnyActorRef ref;
  {
    ActorRef<Counter> counter = SpawnActor<Counter>({.name = "short"});
    ref = counter;
    counter.Stop();
    counter.Join();
  }
  EXPECT_FALSE(ref.alive());
  EXPECT_EQ(ref.name(), "short");
  EXPECT_EQ(ref.TellAny(Increment{}).code(), absl::StatusCode::kNotFound);
}

TEST_F(ActorTest, ManyActorsExchangeMessages) {
  std::vector<ActorRef<Counter>> counters;
  for (int i = 0; i < 200; ++i) counters.push_back(SpawnActor<Counter>());
  for (int round = 0; round < 10; ++round) {
    for (auto& c : counters) ASSERT_TRUE(c.Tell(Increment{round}).ok());
  }
  for (auto& c : counters) EXPECT_EQ(c.Ask(GetCount{}).Get(), 45);
  leak_check::StopActors(counters);
}

}  // namespace
}  // namespace evergreen
