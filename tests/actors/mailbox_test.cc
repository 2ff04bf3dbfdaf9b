// The actor mailbox (actors/internal/mail.h, actor_cell.h): what a queued
// message owns dies with it however the actor ends, the order of a mix of
// Tell/Ask/Call/Stop, blocked senders on a bounded mailbox, and Call, Ask's
// blocking form with its reply slot on the caller's stack (B-D1, B-D2).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "actors/actor.h"
#include "actors/actor_on_hub.h"
#include "actors/actor_ref.h"
#include "actors/dead_letters.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/hub_group.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/stop_actors.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kLong = absl::Seconds(30);

// Counts its live copies: a message that leaks or dies twice shows.
struct Tracked {
  explicit Tracked(std::shared_ptr<int> live, std::string tag = "")
      : live(std::move(live)), tag(std::move(tag)) {
    ++*this->live;
  }
  Tracked(const Tracked& other) : live(other.live), tag(other.tag) {
    ++*live;
  }
  Tracked(Tracked&& other) noexcept
      : live(std::move(other.live)), tag(std::move(other.tag)) {}
  ~Tracked() {
    if (live != nullptr) --*live;
  }
  std::shared_ptr<int> live;
  std::string tag;
};

struct Hold {
  Event* entered;
  Event* release;
};
struct Record {
  std::string tag;
};
struct Echo {
  std::string tag;
};
struct Fail {};

// A message with extended alignment: each move records whether the copy it
// moves from (the one the queued node holds, then the handler's) is
// aligned as its type requires.
struct alignas(64) Wide {
  explicit Wide(int* misaligned) : misaligned(misaligned) {}
  Wide(Wide&& other) noexcept : misaligned(other.misaligned) {
    if (reinterpret_cast<std::uintptr_t>(&other) % alignof(Wide) != 0) {
      ++*misaligned;
    }
  }
  int* misaligned;
};

class Recorder : public ActorBase {
 public:
  explicit Recorder(std::vector<std::string>* log) : log_(log) {}
  void Handle(Hold m) {
    m.entered->Set();
    m.release->Wait();
  }
  void Handle(Tracked m) { log_->push_back("tracked:" + m.tag); }
  void Handle(Record m) { log_->push_back("tell:" + m.tag); }
  std::string Handle(Echo m) {
    log_->push_back("ask:" + m.tag);
    return m.tag;
  }
  int Handle(Fail) { throw std::runtime_error("handler failed"); }
  void Handle(Wide m) { log_->push_back(m.misaligned != nullptr ? "wide" : ""); }

 protected:
  void OnStop(const Exit& exit) override {
    log_->push_back("stop:" + exit.ToString());
  }

 private:
  std::vector<std::string>* log_;
};

class MailboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetDeadLetterHandler([this](const DeadLetter& d) {
      dead_letters_.push_back(d.message + ": " + std::string(d.why.message()));
    });
  }
  void TearDown() override { Hub::DestroyCurrent(); }

  // Spawns a recorder and parks it in a handler until `release_` is set.
  ActorRef<Recorder> SpawnHeld(ActorOptions options = {}) {
    ActorRef<Recorder> actor = SpawnActor<Recorder>(std::move(options), &log_);
    EXPECT_TRUE(actor.Tell(Hold{&entered_, &release_}).ok());
    EXPECT_TRUE(entered_.Wait(kLong));
    return actor;
  }

  std::vector<std::string> log_;
  std::vector<std::string> dead_letters_;
  Event entered_;
  Event release_;
};

TEST_F(MailboxTest, QueuedMessagesDieWithAKilledActor) {
  auto live = std::make_shared<int>(0);
  ActorRef<Recorder> actor = SpawnHeld();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(actor.Tell(Tracked(live, std::to_string(i))).ok());
  }
  EXPECT_EQ(*live, 5);  // queued, each in its one node
  EXPECT_EQ(actor.mailbox_size(), 5u);
  actor.Kill();
  ASSERT_TRUE(actor.Join(kLong));
  // Freed at the exit, unrun (ASan and the leak check see the nodes).
  EXPECT_EQ(*live, 0);
  EXPECT_EQ(actor.mailbox_size(), 0u);
  EXPECT_THAT(log_, ElementsAre());  // a kill runs neither handlers nor OnStop
}

TEST_F(MailboxTest, MessagesQueuedBehindAStopDieUnrunAndTheirAsksFail) {
  auto live = std::make_shared<int>(0);
  ActorRef<Recorder> actor = SpawnHeld();
  ASSERT_TRUE(actor.Tell(Record{"a"}).ok());
  AsyncResult<std::string> b = actor.Ask(Echo{"b"});
  ASSERT_TRUE(actor.Tell(Record{"c"}).ok());
  actor.Stop();
  actor.Stop();  // a second stop changes nothing
  // Still running: these queue behind the stop and die with the actor.
  ASSERT_TRUE(actor.Tell(Tracked(live, "after")).ok());
  AsyncResult<std::string> late = actor.Ask(Echo{"late"});
  release_.Set();
  ASSERT_TRUE(actor.Join(kLong));
  EXPECT_EQ(b.Get(), "b");
  absl::StatusOr<std::string> refused = late.Result();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("exited before replying"));
  EXPECT_EQ(*live, 0);
  EXPECT_THAT(log_, ElementsAre("tell:a", "ask:b", "tell:c", "stop:shutdown"));
}

TEST_F(MailboxTest, TellAskCallAndStopKeepTheirOrder) {
  ActorRef<Recorder> actor = SpawnActor<Recorder>(ActorOptions{}, &log_);
  ActorRef<Recorder> asker = actor;
  Greenlet<void> caller = Greenlet<void>::Create([&] {
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(asker.Tell(Record{"t" + std::to_string(i)}).ok());
      AsyncResult<std::string> asked = asker.Ask(Echo{"a" + std::to_string(i)});
      absl::StatusOr<std::string> called =
          asker.Call(Echo{"c" + std::to_string(i)});
      ASSERT_TRUE(called.ok()) << called.status();
      EXPECT_EQ(*called, "c" + std::to_string(i));
      // The Ask went in before the Call, so it is answered already.
      EXPECT_TRUE(asked.ready());
    }
    asker.Stop();
  });
  caller.Start();
  ASSERT_TRUE(actor.Join(kLong));
  ASSERT_TRUE(caller.Join(kLong));
  EXPECT_THAT(log_, ElementsAre("tell:t0", "ask:a0", "ask:c0", "tell:t1",
                                "ask:a1", "ask:c1", "tell:t2", "ask:a2",
                                "ask:c2", "stop:shutdown"));
}

TEST_F(MailboxTest, CallReturnsTheReplyOrTheHandlersError) {
  ActorRef<Recorder> actor = SpawnActor<Recorder>(ActorOptions{}, &log_);
  absl::StatusOr<std::string> echoed = actor.Call(Echo{"x"});
  ASSERT_TRUE(echoed.ok()) << echoed.status();
  EXPECT_EQ(*echoed, "x");
  // The handler's exception is the caller's Status; the actor fails.
  absl::StatusOr<int> failed = actor.Call(Fail{});
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("handler failed"));
  ASSERT_TRUE(actor.Join(kLong));
  EXPECT_EQ(actor.exit().reason, ExitReason::kFailed);
  // A dead actor: NotFound, as Tell, and a dead letter.
  absl::StatusOr<std::string> dead = actor.Call(Echo{"y"});
  EXPECT_EQ(dead.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(dead_letters_.size(), 1u);
}

TEST_F(MailboxTest, CallTimesOutAndTheExpiredRequestIsSkipped) {
  ActorRef<Recorder> actor = SpawnHeld();
  absl::StatusOr<std::string> late =
      actor.Call(Echo{"late"}, absl::Milliseconds(20));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(late.status().message(), HasSubstr("timed out"));
  release_.Set();
  // Answered by no one, and not run: its deadline passed in the mailbox.
  absl::StatusOr<std::string> next = actor.Call(Echo{"next"});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_THAT(log_, ElementsAre("ask:next"));
  leak_check::StopActors({actor});
}

TEST_F(MailboxTest, CallFailsWhenTheActorDiesWithTheRequestQueued) {
  ActorRef<Recorder> actor = SpawnHeld();
  Greenlet<absl::StatusOr<std::string>> caller =
      Greenlet<absl::StatusOr<std::string>>::Create(
          [&] { return actor.Call(Echo{"never"}); });
  caller.Start();
  Sleep(absl::ZeroDuration());  // the caller queues its request and waits
  ASSERT_EQ(actor.mailbox_size(), 1u);
  actor.Kill();
  ASSERT_TRUE(caller.Join(kLong));
  absl::StatusOr<std::string> outcome = caller.Get();
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(outcome.status().message(), HasSubstr("exited before replying"));
}

TEST_F(MailboxTest, AKilledCallerLeavesItsRequestToAnswerNobody) {
  ActorRef<Recorder> actor = SpawnHeld();
  Greenlet<void> caller = Greenlet<void>::Create(
      [&] { (void)actor.Call(Echo{"orphan"}); });
  caller.Start();
  Sleep(absl::ZeroDuration());
  ASSERT_EQ(actor.mailbox_size(), 1u);
  caller.Kill();  // its reply slot is gone with its stack
  ASSERT_TRUE(caller.ready());
  release_.Set();
  // The request still runs (as an Ask's would) and answers nobody.
  absl::StatusOr<std::string> after = actor.Call(Echo{"after"});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(log_, ElementsAre("ask:orphan", "ask:after"));
  leak_check::StopActors({actor});
}

TEST_F(MailboxTest, BlockedSendersGetInInOrderAsTheActorTakes) {
  ActorRef<Recorder> actor =
      SpawnHeld({.mailbox_capacity = 1, .block_when_full = true});
  ASSERT_TRUE(actor.Tell(Record{"0"}).ok());  // fills it
  std::vector<Greenlet<absl::Status>> senders;
  for (int i = 1; i <= 3; ++i) {
    senders.push_back(Greenlet<absl::Status>::Create(
        [&actor, i] { return actor.Tell(Record{std::to_string(i)}); }));
    senders.back().Start();
  }
  Sleep(absl::ZeroDuration());  // all three block on the full mailbox
  EXPECT_EQ(actor.mailbox_size(), 1u);
  release_.Set();
  for (auto& sender : senders) {
    ASSERT_TRUE(sender.Join(kLong));
    EXPECT_TRUE(sender.Get().ok());
  }
  ASSERT_TRUE(actor.Call(Echo{"end"}).ok());
  EXPECT_THAT(log_, ElementsAre("tell:0", "tell:1", "tell:2", "tell:3",
                                "ask:end"));
  leak_check::StopActors({actor});
}

TEST_F(MailboxTest, ABlockedSenderFailsWhenTheActorDies) {
  auto live = std::make_shared<int>(0);
  ActorRef<Recorder> actor =
      SpawnHeld({.mailbox_capacity = 1, .block_when_full = true});
  ASSERT_TRUE(actor.Tell(Record{"0"}).ok());
  Greenlet<absl::Status> sender = Greenlet<absl::Status>::Create(
      [&] { return actor.Tell(Tracked(live, "blocked")); });
  sender.Start();
  Sleep(absl::ZeroDuration());
  EXPECT_EQ(*live, 1);
  actor.Kill();
  ASSERT_TRUE(sender.Join(kLong));
  EXPECT_EQ(sender.Get().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*live, 0);  // the sender's message died with its refusal
}

TEST_F(MailboxTest, ABlockedSendTimesOutWithItsMessageStillTheSenders) {
  ActorRef<Recorder> actor = SpawnHeld({.mailbox_capacity = 1,
                                        .block_when_full = true,
                                        .send_timeout = absl::Milliseconds(20)});
  ASSERT_TRUE(actor.Tell(Record{"0"}).ok());
  absl::Status late = actor.Tell(Record{"late"});
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(dead_letters_.size(), 1u);
  release_.Set();
  ASSERT_TRUE(actor.Call(Echo{"end"}).ok());
  EXPECT_THAT(log_, ElementsAre("tell:0", "ask:end"));
  leak_check::StopActors({actor});
}

TEST_F(MailboxTest, AnonymousActorsAreNamedOnDemand) {
  ActorRef<Recorder> actor = SpawnActor<Recorder>(ActorOptions{}, &log_);
  const std::string& name = actor.name();
  EXPECT_THAT(name, HasSubstr("Recorder#"));
  EXPECT_THAT(name, HasSubstr(std::to_string(actor.id())));
  EXPECT_EQ(&actor.name(), &name);  // made once
  ActorRef<Recorder> named =
      SpawnActor<Recorder>({.name = "named"}, &log_);
  EXPECT_EQ(named.name(), "named");
  leak_check::StopActors({actor, named});
}

TEST_F(MailboxTest, CallAcrossHubsRepliesOnTheCallersHub) {
  HubGroup hubs({.threads = 2});
  absl::StatusOr<ActorRef<Recorder>> remote =
      SpawnActorOn<Recorder>(hubs, 1, ActorOptions{}, &log_);
  ASSERT_TRUE(remote.ok()) << remote.status();
  absl::StatusOr<std::string> echoed = remote->Call(Echo{"far"}, kLong);
  ASSERT_TRUE(echoed.ok()) << echoed.status();
  EXPECT_EQ(*echoed, "far");
  remote->Stop();
  ASSERT_TRUE(remote->Join(kLong));
  hubs.Stop();
  EXPECT_THAT(log_, ElementsAre("ask:far", "stop:shutdown"));
}

// An over-aligned message is queued in a node aligned for it (the pool's
// nodes have only the default alignment).
TEST_F(MailboxTest, OverAlignedMessagesAreQueuedAligned) {
  ActorRef<Recorder> actor = SpawnHeld();
  int misaligned = 0;
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(actor.Tell(Wide(&misaligned)).ok());
  release_.Set();
  ASSERT_TRUE(actor.Call(Echo{"done"}, kLong).ok());
  EXPECT_EQ(misaligned, 0);
  EXPECT_EQ(std::count(log_.begin(), log_.end(), "wide"), 8);
  leak_check::StopActors({actor});
}

}  // namespace
}  // namespace evergreen
